"""A household's income, defined once (DOMAIN.md §4): every page, rule, document and export reads it from here.

A ledger gives income at one of three depths (`IncomeRecord.given`): the components (工资性 + 生产经营性 + 财产性 +
转移性 − 生产经营性支出), only the household's net income (家庭纯收入), or only the per-capita figure (人均纯收入, with
家庭人口数). From whichever the record holds:

- 家庭纯收入 (`net_income`): the components' sum, or the net figure given, or the per-capita figure given × 家庭人口数;
- 人均纯收入 (`per_capita_net_income`): the per-capita figure given, else 家庭纯收入 ÷ 家庭人口数 to the cent;
- 扣除合规自付支出后人均收入 (`per_capita_for_line`, the figure judged against the monitoring line): 家庭纯收入 minus
  compliant out-of-pocket spending (合规自付医疗、教育支出), ÷ 家庭人口数, to the cent (half up);
- below the line (`below_line`): that figure, to the cent, is less than the line; at the line is not below.

The same definitions as SQL, for the readers that count in the database: `net_income_expression()` and
`for_line_cents_expression()` for Django queries (the home card's figure, the household list's filter, the
screening snapshot's source query), and `below_line_sql()` for the screening engine's DuckDB text.
`tests/registry/test_income_one_definition.py` proves that every reader gives the same answer for every way
income can be stored.

The comparison is exact in whole cents on every database: with T the figure before division in cents, m the
people counted and L the line in cents, round-half-up(T / m) < L ⇔ 2T < (2L − 1)·m (for a line above zero).
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BigIntegerField, Case, DecimalField, ExpressionWrapper, F, Q, Value, When
from django.db.models.functions import Cast, Round
from django.db.models.lookups import LessThan
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")

# What users read beside each figure (pages, the 明白卡, ledgers, warnings).
PER_CAPITA_LABEL = _("人均纯收入")
FOR_LINE_LABEL = _("扣除合规自付支出后人均收入")

GIVEN_NET = "net"  # IncomeRecord.Given, spelled here so the SQL does not import the model
GIVEN_PER_CAPITA = "per_capita"


# --- Python: one record --------------------------------------------------------------------------------------------

def net_income(record) -> Decimal:
    """家庭纯收入: the figure the ledger gave (net, or per-capita × people counted), else the components' sum."""
    if record.given == GIVEN_NET and record.given_net_income is not None:
        return record.given_net_income
    if record.given == GIVEN_PER_CAPITA and record.given_per_capita_income is not None:
        return record.given_per_capita_income * record.members_counted
    return (record.wage_income + record.business_income + record.property_income + record.transfer_income
            - record.production_cost)


def per_capita_net_income(record) -> Decimal:
    """人均纯收入: the per-capita figure the ledger gave, else 家庭纯收入 ÷ 家庭人口数 to the cent."""
    if record.given == GIVEN_PER_CAPITA and record.given_per_capita_income is not None:
        return record.given_per_capita_income
    return (net_income(record) / record.members_counted).quantize(CENT, rounding=ROUND_HALF_UP)


def compliant_spending(record) -> Decimal:
    """合规自付支出: medical after reimbursement and schooling, paid by the household."""
    return record.medical_spending + record.education_spending


def per_capita_for_line(record) -> Decimal:
    """扣除合规自付支出后人均收入: what DOMAIN.md §4 judges against the line."""
    return ((net_income(record) - compliant_spending(record)) / record.members_counted).quantize(
        CENT, rounding=ROUND_HALF_UP)


def below_line(record, line: Decimal | None) -> bool:
    """The record's figure for the line lies below `line` (None: no line set that year, so not judged)."""
    return line is not None and per_capita_for_line(record) < line


# --- Django queries ------------------------------------------------------------------------------------------------

_MONEY = DecimalField(max_digits=16, decimal_places=2)
_CENTS = BigIntegerField()


def net_income_expression(prefix: str = "") -> Case:
    """家庭纯收入 of an income record as a query expression (`prefix` reaches the record through a relation,
    e.g. "income_records__")."""
    f = lambda name: F(prefix + name)  # noqa: E731
    components = (f("wage_income") + f("business_income") + f("property_income") + f("transfer_income")
                  - f("production_cost"))
    return Case(
        When(Q(**{prefix + "given": GIVEN_NET, prefix + "given_net_income__isnull": False}),
             then=f("given_net_income")),
        When(Q(**{prefix + "given": GIVEN_PER_CAPITA, prefix + "given_per_capita_income__isnull": False}),
             then=ExpressionWrapper(f("given_per_capita_income") * f("members_counted"), output_field=_MONEY)),
        default=ExpressionWrapper(components, output_field=_MONEY), output_field=_MONEY)


def _cents(expression) -> Cast:
    return Cast(Round(ExpressionWrapper(expression * Value(100), output_field=_MONEY)), _CENTS)


def net_cents_expression(prefix: str = "") -> Cast:
    """家庭纯收入 in whole cents."""
    return _cents(net_income_expression(prefix))


def for_line_cents_expression(prefix: str = "") -> Cast:
    """家庭纯收入 minus compliant spending, in whole cents: the figure for the line before dividing by people."""
    spending = F(prefix + "medical_spending") + F(prefix + "education_spending")
    return _cents(ExpressionWrapper(net_income_expression(prefix) - spending, output_field=_MONEY))


def line_cents(line: Decimal) -> int:
    return int((Decimal(line) * 100).to_integral_value(rounding=ROUND_HALF_UP))


def below_line_condition(line: Decimal, prefix: str = "") -> LessThan:
    """The condition `below_line` as a query expression over an income record, for one line."""
    twice = ExpressionWrapper(for_line_cents_expression(prefix) * Value(2), output_field=_CENTS)
    bound = ExpressionWrapper(Value(2 * line_cents(line) - 1) * F(prefix + "members_counted"), output_field=_CENTS)
    return LessThan(twice, bound)


# --- the screening engine (DuckDB text over the snapshot's income table) -------------------------------------------

def per_capita_cents_sql(total_cents: str, members: str) -> str:
    """Total ÷ people, in cents rounded half up (half away from zero, as Decimal's ROUND_HALF_UP). Portable SQL
    (DuckDB and Spark alike have no common integer division operator): FLOOR of the double quotient, exact here,
    since a quotient of integers below 2^53 that is not whole lies at least 1/(2·members) from the next whole."""
    return (f"(CASE WHEN {total_cents} >= 0 "
            f"THEN CAST(FLOOR((2 * {total_cents} + {members}) / CAST(2 * {members} AS DOUBLE)) AS BIGINT) "
            f"ELSE -CAST(FLOOR((-2 * {total_cents} + {members}) / CAST(2 * {members} AS DOUBLE)) AS BIGINT) END)")


def below_line_sql(for_line_cents: str, members: str, line_cents_column: str) -> str:
    """`below_line` over the snapshot's columns: the figure for the line, to the cent, less than the line."""
    return f"2 * {for_line_cents} < (2 * {line_cents_column} - 1) * {members}"
