"""Each rule as plain SQL over the snapshot (households, members, income, feed, lines), and its evidence sentence.

Every warning rule's SQL returns the same columns:
    household_id, value, threshold, base, info, note, fact
(value and threshold as numbers for the sentence; base a second number where the sentence needs one; info and
note as text; fact what the warning is about, e.g. "2025-05-12:medical" — a dismissed fact is not raised
again). Exclusion rules return household_id, info, note. Thresholds are inlined as validated literals, so the
text is standard SQL (window functions, CASE, EXTRACT) that a province could run on another engine.
Amounts are cents in the snapshot; sentences show yuan.
"""

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import get_language, gettext

from bangfu.registry.income import below_line_sql, per_capita_cents_sql

# The latest income record of each household: 家庭纯收入 and the figure for the line before dividing by people, in
# cents (both as registry.income defines them; the snapshot's source query is compiled from its expressions).
LATEST_INCOME = """
    SELECT household_id, year, members_counted, net_cents, for_line_cents FROM (
        SELECT household_id, year, members_counted, net_cents, for_line_cents,
               ROW_NUMBER() OVER (PARTITION BY household_id ORDER BY year DESC) AS rn
        FROM income) ranked
    WHERE rn = 1"""

AGE_AT_PERIOD = """(EXTRACT(YEAR FROM f.period_date) - EXTRACT(YEAR FROM m.birth_date)
    - CASE WHEN EXTRACT(MONTH FROM f.period_date) * 100 + EXTRACT(DAY FROM f.period_date)
              < EXTRACT(MONTH FROM m.birth_date) * 100 + EXTRACT(DAY FROM m.birth_date) THEN 1 ELSE 0 END)"""


@lru_cache(maxsize=256)
def _translated(language: str | None, message: str) -> str:
    return gettext(message)  # the active language is `language` when it is first asked for


# The language a run's sentences are worded in, read once by `wording_in_one_language` (asking Django for the active
# language costs about 10 µs, once per sentence part: 0.7 s of a million-person run's 60,000 sentences).
_wording_language: ContextVar[str | None] = ContextVar("wording_language", default=None)


@contextmanager
def wording_in_one_language():
    """Within it, `_` takes the language active on entering (a run words all its sentences in one language)."""
    token = _wording_language.set(get_language() or "")
    try:
        yield
    finally:
        _wording_language.reset(token)


def _(message: str) -> str:
    """gettext, remembered per language: a run words thousands of sentences from a dozen templates, and each
    gettext call looks up the active translation afresh."""
    language = _wording_language.get()
    return _translated(get_language() if language is None else language or None, message)


def _cents(yuan) -> int:
    return int(round(float(yuan) * 100))


def _codes(values) -> str:
    """A validated list of short codes as an SQL list literal ('C', 'D')."""
    quoted = ["'" + str(v).replace("'", "''") + "'" for v in values]
    return "(" + ", ".join(quoted or ["''"]) + ")"


def _income_below_line(p: dict) -> str:
    # The households the home card counts (收入低于监测线但未纳入监测): not monitored, the latest record's
    # 扣除合规自付支出后人均收入 under that year's line (registry.income), less those an exclusion rule marked in
    # this run (the run fills `excl` before the warning rules). A monitored household is not raised as a new risk.
    for_line = per_capita_cents_sql("i.for_line_cents", "i.members_counted")
    per_capita = per_capita_cents_sql("i.net_cents", "i.members_counted")
    return f"""
    SELECT i.household_id, {for_line} / 100.0 AS value, l.amount_cents / 100.0 AS threshold,
           {per_capita} / 100.0 AS base, CAST(i.year AS STRING) AS info, '' AS note,
           CAST(i.year AS STRING) AS fact
    FROM ({LATEST_INCOME}) i
    JOIN households h ON h.id = i.household_id
    JOIN lines l ON l.county = SUBSTR(h.village_id, 1, 6) AND l.year = i.year
    WHERE NOT h.monitored AND {below_line_sql("i.for_line_cents", "i.members_counted", "l.amount_cents")}
      AND i.household_id NOT IN (SELECT household_id FROM excl)"""


def _stay_limit(p: dict) -> str:
    """The single-stay line in cents for the household `h`: monitored households have the lower one."""
    return f"CASE WHEN h.monitored THEN {_cents(p['monitored_yuan'])} ELSE {_cents(p['other_yuan'])} END"


def _medical_stay_oop(p: dict) -> str:
    limit = _stay_limit(p)
    return f"""
    SELECT f.household_id, f.amount5 / 100.0 AS value, {limit} / 100.0 AS threshold, NULL AS base,
           CAST(f.date1 AS STRING) AS info, CASE WHEN h.monitored THEN 'monitored' ELSE 'other' END AS note,
           CAST(f.date1 AS STRING) || ':' || CAST(f.member_id AS STRING) AS fact
    FROM feed f JOIN households h ON h.id = f.household_id
    WHERE f.kind = 'medical' AND f.amount5 > {limit}"""


def _medical_year_share(p: dict) -> str:
    share = float(p["share"])
    return f"""
    SELECT o.household_id, o.oop / 100.0 AS value, i.net_cents * {share} / 100.0 AS threshold,
           i.net_cents / 100.0 AS base, o.year AS info, CAST(i.year AS STRING) AS note, o.year AS fact
    FROM (SELECT household_id, SUBSTR(period, 1, 4) AS year, SUM(amount5) AS oop
          FROM feed WHERE kind = 'medical' AND NOT resent  -- a stay sent again (in a later month's file) counts once
          GROUP BY household_id, SUBSTR(period, 1, 4)) o
    JOIN ({LATEST_INCOME}) i ON i.household_id = o.household_id
    WHERE o.oop > i.net_cents * {share}"""


def _year_share_explained_by_a_stay(stay: dict) -> str:
    """Households whose yearly-share hit (in table `y`) one stay of that year explains: the stay alone is over the
    year's threshold and is itself over the single-stay line, so the stay's warning is the one task."""
    return f"""
    SELECT DISTINCT y.household_id FROM y
    JOIN feed f ON f.household_id = y.household_id AND f.kind = 'medical' AND SUBSTR(f.period, 1, 4) = y.fact
    JOIN households h ON h.id = f.household_id
    WHERE f.amount5 > {_stay_limit(stay)} AND f.amount5 > y.threshold * 100"""


def _severe_disability(p: dict) -> str:
    return f"""
    SELECT f.household_id, CAST(f.code2 AS INTEGER) AS value, NULL AS threshold, NULL AS base,
           m.disability_grade AS info, m.name AS note, f.period || ':' || CAST(f.member_id AS STRING) AS fact
    FROM feed f JOIN members m ON m.id = f.member_id
    WHERE f.kind = 'disability' AND f.code2 IN {_codes(p['grades'])}
      AND (m.disability_grade = '' OR m.disability_grade > f.code2)"""


def _unsafe_housing(p: dict) -> str:
    # The housing bureau's latest appraisal of the household's house (a grade already in the register is known).
    return f"""
    SELECT f.household_id, NULL AS value, NULL AS threshold, NULL AS base, f.code1 AS info, f.period AS note,
           f.period || ':' || f.code1 AS fact
    FROM (SELECT household_id, code1, period,
                 ROW_NUMBER() OVER (PARTITION BY household_id ORDER BY period DESC, date1 DESC) AS rn
          FROM feed WHERE kind = 'housing') f
    WHERE f.rn = 1 AND f.code1 IN {_codes(p['grades'])}"""


def _out_of_school(p: dict) -> str:
    return f"""
    SELECT f.household_id, {AGE_AT_PERIOD} AS value, NULL AS threshold, NULL AS base, f.period AS info,
           m.name AS note, f.period || ':' || CAST(m.id AS STRING) AS fact
    FROM feed f JOIN members m ON m.id = f.member_id
    WHERE f.kind = 'education' AND f.code1 = 'dropout'
      AND {AGE_AT_PERIOD} BETWEEN {int(p['min_age'])} AND {int(p['max_age'])}"""


def _no_medical_insurance(p: dict) -> str:
    return """
    SELECT household_id, COUNT(*) AS value, NULL AS threshold, NULL AS base, MIN(name) AS info, '' AS note,
           'uninsured:' || CAST(COUNT(*) AS STRING) AS fact
    FROM members WHERE NOT medical_insurance GROUP BY household_id"""


def _earner_lost(p: dict) -> str:
    total = _cents(p["serious_illness_total_yuan"])
    return f"""
    SELECT e.household_id, CASE WHEN f.kind = 'medical' THEN f.amount1 / 100.0 END AS value,
           {total} / 100.0 AS threshold, NULL AS base, f.kind AS info, e.name AS note,
           f.period || ':' || f.kind || ':' || CAST(e.id AS STRING) AS fact
    FROM (SELECT id, household_id, name,
                 ROW_NUMBER() OVER (PARTITION BY household_id
                                    ORDER BY work_months DESC, CASE WHEN relation = 'head' THEN 0 ELSE 1 END, id) AS rn
          FROM members WHERE labour_ability IN ('ordinary', 'skilled')) e
    JOIN feed f ON f.member_id = e.id
    WHERE e.rn = 1 AND ((f.kind = 'public_security' AND f.code1 = 'death')
                        OR (f.kind = 'medical' AND f.amount1 > {total}))"""


def _no_employment_contribution(p: dict) -> str:
    months = int(p["months"])
    return f"""
    SELECT m.household_id, {months} AS value, {months} AS threshold, NULL AS base, r.first_period AS info,
           m.name AS note, r.last_period || ':' || CAST(m.id AS STRING) AS fact
    FROM members m
    CROSS JOIN (SELECT COUNT(*) AS n, MIN(period) AS first_period, MAX(period) AS last_period
                FROM (SELECT period, ROW_NUMBER() OVER (ORDER BY period DESC) AS rn
                      FROM (SELECT DISTINCT period FROM feed WHERE kind = 'employment') p) q
                WHERE rn <= {months}) r
    LEFT JOIN (SELECT DISTINCT member_id FROM feed
               WHERE kind = 'employment' AND period IN (
                   SELECT period FROM (SELECT period, ROW_NUMBER() OVER (ORDER BY period DESC) AS rn
                                       FROM (SELECT DISTINCT period FROM feed WHERE kind = 'employment') p) q
                   WHERE rn <= {months})) paid ON paid.member_id = m.id
    WHERE m.work_place IN ('in_county', 'in_province', 'out_of_province') AND r.n >= {months}
      AND paid.member_id IS NULL"""


def _income_drop(p: dict) -> str:
    share = float(p["share"])
    return f"""
    SELECT c.household_id, (pr.net_cents - c.net_cents) * 1.0 / pr.net_cents AS value, {share} AS threshold,
           pr.net_cents / 100.0 AS base, CAST(c.year AS STRING) AS info, CAST(c.net_cents / 100.0 AS STRING) AS note,
           CAST(c.year AS STRING) AS fact
    FROM ({LATEST_INCOME}) c
    JOIN income pr ON pr.household_id = c.household_id AND pr.year = c.year - 1
    WHERE pr.net_cents > 0 AND pr.net_cents - c.net_cents > pr.net_cents * {share}"""


def _disaster_loss(p: dict) -> str:
    share = float(p["share"])
    return f"""
    SELECT d.household_id, d.loss / 100.0 AS value, i.net_cents * {share} / 100.0 AS threshold,
           i.net_cents / 100.0 AS base, d.year AS info, '' AS note, d.year AS fact
    FROM (SELECT household_id, SUBSTR(period, 1, 4) AS year, SUM(amount1) AS loss
          FROM feed WHERE kind = 'emergency' GROUP BY household_id, SUBSTR(period, 1, 4)) d
    JOIN ({LATEST_INCOME}) i ON i.household_id = d.household_id
    WHERE d.loss > i.net_cents * {share}"""


def _exclusion(kind: str, extra: str = "") -> Callable[[dict], str]:
    def sql(p: dict) -> str:
        return f"""
    SELECT f.household_id, MIN(f.text) AS info, MIN(m.name) AS note
    FROM feed f JOIN members m ON m.id = f.member_id
    WHERE f.kind = '{kind}' {extra.format(**{k: _param_literal(v) for k, v in p.items()})}
    GROUP BY f.household_id"""
    return sql


def _param_literal(value) -> str:
    if isinstance(value, list | tuple):
        return _codes(value)
    return str(_cents(value))


def _money(value) -> str:
    return f"{value:,.2f}".removesuffix(".00")


def _month(text: str) -> str:
    """'2025-05-12' or '2025-05' → 2025年5月."""
    return _("%(year)s年%(month)s月") % {"year": text[:4], "month": int(text[5:7])} if text else ""


@dataclass(frozen=True)
class RuleSql:
    sql: Callable[[dict], str]
    evidence: Callable[[dict], str]  # hit row (dict of the columns) → sentence


GRADE_NAMES = {"1": "一级", "2": "二级", "3": "三级", "4": "四级"}

RULES: dict[str, RuleSql] = {
    "income_below_line": RuleSql(_income_below_line, lambda r: (_(
        "%(year)s年人均纯收入 %(value)s 元，低于当年监测线 %(line)s 元") % {
        "year": r["info"], "value": _money(r["value"]), "line": _money(r["threshold"])}
        if r["value"] == r["base"] else _(
        "%(year)s年人均纯收入 %(per_capita)s 元，扣除合规自付支出后人均收入 %(value)s 元，低于当年监测线 %(line)s 元") % {
        "year": r["info"], "per_capita": _money(r["base"]), "value": _money(r["value"]),
        "line": _money(r["threshold"])})),
    "medical_stay_oop": RuleSql(_medical_stay_oop, lambda r: _(
        "%(month)s住院自付 %(value)s 元，超过%(who)s单次 %(limit)s 元的预警线") % {
        "month": _month(r["info"]), "value": _money(r["value"]), "limit": _money(r["threshold"]),
        "who": _("监测对象") if r["note"] == "monitored" else _("一般农户")}),
    "medical_year_share": RuleSql(_medical_year_share, lambda r: _(
        "%(year)s年医疗自付合计 %(value)s 元，超过家庭纯收入 %(base)s 元（%(income_year)s年）的%(share)s，即 %(limit)s 元") % {
        "year": r["info"], "value": _money(r["value"]), "base": _money(r["base"]), "income_year": r["note"],
        "limit": _money(r["threshold"]), "share": f"{r['threshold'] / r['base']:.0%}" if r["base"] else "—"}),
    "severe_disability": RuleSql(_severe_disability, lambda r: _(
        "%(name)s新办或升级为%(grade)s残疾人证（原登记：%(before)s）") % {
        "name": r["note"], "grade": GRADE_NAMES.get(str(int(r["value"])), str(r["value"])),
        "before": GRADE_NAMES.get(r["info"] or "", _("无"))}),
    "unsafe_housing": RuleSql(_unsafe_housing, lambda r: _(
        "%(month)s住房安全鉴定为%(grade)s级（危房）") % {"month": _month(r["note"]), "grade": r["info"]}),
    "out_of_school": RuleSql(_out_of_school, lambda r: _(
        "%(month)s教育部门报%(name)s（%(age)s周岁）失学辍学，处于义务教育阶段") % {
        "month": _month(r["info"]), "name": r["note"], "age": int(r["value"])}),
    "no_medical_insurance": RuleSql(_no_medical_insurance, lambda r: (_(
        "%(name)s等 %(count)s 人未参加城乡居民基本医疗保险") % {"name": r["info"], "count": int(r["value"])}
        if r["value"] > 1 else _("%(name)s未参加城乡居民基本医疗保险") % {"name": r["info"]})),
    "earner_lost": RuleSql(_earner_lost, lambda r: (_(
        "主要劳动力%(name)s %(month)s公安户籍登记死亡") % {"name": r["note"], "month": _month(r["fact"][:7])}
        if r["info"] == "public_security" else _(
        "主要劳动力%(name)s %(month)s住院总费用 %(value)s 元，超过大病线 %(limit)s 元") % {
        "name": r["note"], "month": _month(r["fact"][:7]), "value": _money(r["value"]),
        "limit": _money(r["threshold"])})),
    "no_employment_contribution": RuleSql(_no_employment_contribution, lambda r: _(
        "外出务工人员%(name)s自%(month)s起连续 %(months)s 个月无就业参保缴费记录") % {
        "name": r["note"], "month": _month(r["info"]), "months": int(r["value"])}),
    "income_drop": RuleSql(_income_drop, lambda r: _(
        "%(year)s年家庭纯收入 %(value)s 元，比上年 %(base)s 元下降 %(drop)s，超过 %(share)s 的预警线") % {
        "year": r["info"], "value": _money(float(r["note"])), "base": _money(r["base"]),
        "drop": f"{r['value']:.1%}", "share": f"{r['threshold']:.0%}"}),
    "disaster_loss": RuleSql(_disaster_loss, lambda r: _(
        "%(year)s年灾害直接经济损失 %(value)s 元，超过家庭纯收入 %(base)s 元的%(share)s，即 %(limit)s 元") % {
        "year": r["info"], "value": _money(r["value"]), "base": _money(r["base"]), "limit": _money(r["threshold"]),
        "share": f"{r['threshold'] / r['base']:.0%}" if r["base"] else "—"}),
}

# One event, one task: a hit of the first rule that an event of the second explains is not a warning of its own;
# its sentence is shown on the second rule's warning as evidence. rule → (rule it is shown with, SQL given that
# rule's parameters returning the household_id of the explained hits in table `y`).
SHOWN_WITH: dict[str, tuple[str, Callable[[dict], str]]] = {
    "medical_year_share": ("medical_stay_oop", _year_share_explained_by_a_stay),
}


# What each rule reads of the department feeds: the kinds, and how many of each kind's latest months (None: all
# months, for rules over a stay's or a year's history; a parameter name: that many months). The run points the
# view `feed` at exactly those Parquet files before the rule's SQL, so a rule over three months of employment
# contributions never opens a medical file. Rules absent here read no feed.
FEEDS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "medical_stay_oop": (("medical",), None),
    "medical_year_share": (("medical",), None),
    "severe_disability": (("disability",), None),
    "unsafe_housing": (("housing",), None),
    "out_of_school": (("education",), None),
    "earner_lost": (("public_security", "medical"), None),
    "no_employment_contribution": (("employment",), "months"),
    "disaster_loss": (("emergency",), None),
    "payroll": (("payroll",), None),
    "property": (("property",), None),
    "vehicle": (("vehicle",), None),
    "business": (("business",), None),
}


def feed_window(code: str, params: dict) -> tuple[list[str] | None, int | None]:
    """(kinds, latest months or None) the rule `code` reads; ([], None) for a rule that reads no feed."""
    kinds, months = FEEDS.get(code, ((), None))
    return list(kinds), (int(params[months]) if months else None)


def shown_with_sentence(sentence: str) -> str:
    return _("%(sentence)s（由同一次住院构成，随本预警核实，不另行预警）") % {"sentence": sentence}


EXCLUSIONS: dict[str, RuleSql] = {
    "payroll": RuleSql(_exclusion("payroll"), lambda r: _("%(name)s为财政供养人员（%(where)s）") % {
        "name": r["note"], "where": r["info"]}),
    "property": RuleSql(_exclusion("property"), lambda r: _("%(name)s登记有商品房（%(where)s）") % {
        "name": r["note"], "where": r["info"]}),
    "vehicle": RuleSql(_exclusion("vehicle", "AND f.text NOT IN {ignore_types}"), lambda r: _(
        "%(name)s登记有机动车（%(what)s）") % {"name": r["note"], "what": r["info"]}),
    "business": RuleSql(_exclusion("business", "AND COALESCE(f.amount1, 0) >= {min_capital_yuan}"), lambda r: _(
        "%(name)s登记有市场主体（%(what)s）") % {"name": r["note"], "what": r["info"]}),
}
