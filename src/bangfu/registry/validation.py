"""The registry's rules for what a person, a household and an income may hold: one home that the member and
income forms, the registry services, the household import and the department-file import call, so a value one of
them refuses none of them stores (and each says the same thing about it).

    person_name(raw) -> str                          the name as stored (one middle dot) or Invalid on "name"
    names_agree(a, b) -> bool                        two spellings of one name (a department file's and ours)
    member_identity(raw, id_type=, sex=, birth_date=) -> MemberIdentity
                                                     the document number by type; a sex or birth date given
                                                     beside it must agree with it
    member_problems(relation=, sex=, ...) -> list[Problem]
                                                     relation against the sex, months, disability grade
    household_check(household)                       户类型 against 监测对象类别, months, areas, relocation
    household_number_check(household, region_of=)   a typed 户编号
    income_problems(values) / amount_problem(field, value)
                                                     amounts inside AMOUNT_BOUNDS, household size inside
                                                     MEMBERS_COUNTED_MAX

Each rule broken is a `Problem(field, rule, message)`: `field` the model field it concerns (a form puts the
message there, an import finds the column by it), `rule` a stable code, `message` Chinese for users.
`Invalid` is a ValidationError keyed by field (so services raise it as it is) that keeps its problems.
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from bangfu.core.id_number import IdNumberError, normalise_id_number, parse_id_number
from bangfu.core.names import PersonNameError, normalise_person_name, unify_name_dots
from bangfu.core.periods import parse_month
from bangfu.registry import choices as c


@dataclass(frozen=True)
class Problem:
    """One rule broken: the field it concerns, a stable rule code, the message users read."""

    field: str
    rule: str
    message: str


class Invalid(ValidationError):
    """Problems found, as a ValidationError keyed by field (forms and services show it as any other)."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        by_field: dict[str, list[str]] = {}
        for problem in self.problems:
            by_field.setdefault(problem.field, []).append(problem.message)
        super().__init__(by_field)


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise Invalid(problems)


# --- names --------------------------------------------------------------------------------------------------

def person_name(raw: str) -> str:
    """The name as the registry stores it: spaces trimmed, every dot variant (•, ・, ．, ., ‧) the one middle dot
    "·". Refused (Invalid on "name"): empty, over 30 characters, digits (尼玛2), a note in brackets (拉姆(已故)),
    emoji or other punctuation, a dot at either end or doubled. Rules: core.names."""
    try:
        return normalise_person_name(raw)
    except PersonNameError as error:
        raise Invalid([Problem("name", error.rule, error.message)]) from None


def names_agree(a: str, b: str) -> bool:
    """Whether two spellings are the same name: equal once dots are unified and spaces and case ignored
    (扎西.多吉 and 扎西·多吉 agree; 扎西·多吉 and 扎西·顿珠 do not). For comparing a name a department file
    gives with the name the registry holds for that ID number; neither needs to be a valid name."""
    def key(text: str) -> str:
        return unify_name_dots(str(text or "")).replace(" ", "").casefold()

    return key(a) == key(b)


# --- identity -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MemberIdentity:
    """A validated identity document: the normalised number and the sex and birth date it carries (or that were
    entered, for documents that carry none)."""

    number: str
    sex: str
    birth_date: dt.date


OTHER_ID_PATTERN = re.compile(r"^[0-9A-Z\-]{4,30}$")
# A birth date given as a year or a month only ("1980", "198001"), as masked ledgers write 出生日期(脱敏时为年份).
PartialBirth = str


def _birth_agrees(given: dt.date | PartialBirth, birth: dt.date) -> bool:
    if isinstance(given, dt.date):
        return given == birth
    return f"{birth:%Y%m%d}".startswith(given)


def member_identity(raw: str, *, id_type: str = c.IdType.RESIDENT_ID, sex: str | None = None,
                    birth_date: dt.date | PartialBirth | None = None, today: dt.date | None = None) -> MemberIdentity:
    """Validate a document number by its type; sex and birth date come from it where it carries them, and a sex
    or birth date given beside it (a form's fields, a ledger's 性别 and 出生日期 columns) must agree with it.
    `birth_date` may be a year or year and month as text ("1980", "198001"): then those must agree.
    A resident ID number whose last digits Excel turned into zeros is refused with that cause (rule
    id_number_as_number), not with the check character it would take to pass."""
    id_type = id_type or c.IdType.RESIDENT_ID
    if id_type == c.IdType.OTHER:
        # e.g. a newborn not yet registered, or a foreign document: nothing to derive, so both are required.
        number = normalise_id_number(raw)
        problems = []
        if not OTHER_ID_PATTERN.match(number):
            problems.append(Problem("id_number", "id_number_other", _("其他证件号码应为4至30位字母、数字或连字符")))
        if not sex:
            problems.append(Problem("sex", "sex_required", _("证件类型为“其他”时必须填写性别")))
        if not isinstance(birth_date, dt.date):
            problems.append(Problem("birth_date", "birth_date_required", _("证件类型为“其他”时必须填写出生日期")))
        elif birth_date > (today or dt.date.today()):
            problems.append(Problem("birth_date", "birth_date_future", _("出生日期不能晚于今天")))
        _raise(problems)
        return MemberIdentity(number, sex, birth_date)
    text, prefix = normalise_id_number(raw), ""
    if id_type == c.IdType.DISABILITY_CERT:
        # 残疾人证号 = the holder's ID number + disability category (1 digit) + grade (1 digit).
        if len(text) != 20 or not text[18:].isdigit():
            raise Invalid([Problem("id_number", "id_number_disability_cert",
                                   _("残疾人证号应为20位：身份证号后加残疾类别和等级两位数字"))])
        text, prefix = text[:18], _("残疾人证号前18位：")
    try:
        parsed = parse_id_number(text, today=today)
    except IdNumberError as error:
        raise Invalid([Problem("id_number", f"id_number_{error.rule}", prefix + error.message)]) from None
    problems = []
    if sex and sex != parsed.sex:
        problems.append(Problem("sex", "sex_mismatch", _("性别与身份证号不符：身份证号显示为%(sex)s") % {
            "sex": c.Sex(parsed.sex).label}))
    if birth_date and not _birth_agrees(birth_date, parsed.birth_date):
        problems.append(Problem("birth_date", "birth_date_mismatch", _("出生日期与身份证号不符：身份证号显示为%(date)s") % {
            "date": f"{parsed.birth_date:%Y-%m-%d}"}))
    _raise(problems)
    number = parsed.number + normalise_id_number(raw)[18:] if id_type == c.IdType.DISABILITY_CERT else parsed.number
    return MemberIdentity(number, parsed.sex, parsed.birth_date)


# --- members ------------------------------------------------------------------------------------------------

# Relations that fix the person's sex: a 之子 whose ID number says female is a typing error in one of them.
RELATION_SEX = {
    c.Relation.SON: c.Sex.MALE, c.Relation.SON_IN_LAW: c.Sex.MALE, c.Relation.GRANDSON: c.Sex.MALE,
    c.Relation.FATHER: c.Sex.MALE, c.Relation.DAUGHTER: c.Sex.FEMALE, c.Relation.DAUGHTER_IN_LAW: c.Sex.FEMALE,
    c.Relation.GRANDDAUGHTER: c.Sex.FEMALE, c.Relation.MOTHER: c.Sex.FEMALE,
}
MONTHS_IN_YEAR = 12
# The member fields member_problems reads, with a new member's values when a ledger leaves them out.
MEMBER_RULE_DEFAULTS = {"relation": c.Relation.OTHER, "work_months": 0, "public_welfare_months": 0, "health": "",
                        "disability_grade": ""}


def member_problems(*, relation: str, sex: str, work_months: int = 0, public_welfare_months: int = 0,
                    health: str = "", disability_grade: str = "") -> list[Problem]:
    """A member's rules beyond the name and the document: the relation to the head agrees with the sex the
    document gives; months worked and months on a public-welfare post fit a year; a disabled member has a grade.
    (One head per household needs the household's other members: the callers check it.)"""
    problems = []
    needed = RELATION_SEX.get(relation)
    if needed and sex and sex != needed:
        problems.append(Problem("relation", "relation_sex", _("与户主关系“%(relation)s”与性别不符：证件显示为%(sex)s") % {
            "relation": c.Relation(relation).label, "sex": c.Sex(sex).label}))
    if (work_months or 0) > MONTHS_IN_YEAR:
        problems.append(Problem("work_months", "work_months", _("务工时间不能超过12个月")))
    if (public_welfare_months or 0) > MONTHS_IN_YEAR:
        problems.append(Problem("public_welfare_months", "public_welfare_months", _("公益岗位月数不能超过12个月")))
    if health == c.Health.DISABLED and not disability_grade:
        problems.append(Problem("disability_grade", "disability_grade", _("健康状况为残疾时必须填写残疾等级")))
    return problems


# --- households ---------------------------------------------------------------------------------------------

# DOMAIN.md §5.1: 脱贫不稳定户 are former poor households, 边缘易致贫户 ordinary ones; 突发严重困难户 either.
MONITORING_TYPE_NEEDS = {
    c.MonitoringType.UNSTABLE: c.HouseholdType.FORMERLY_POOR,
    c.MonitoringType.MARGINAL: c.HouseholdType.ORDINARY,
}


def household_check(household) -> None:
    """A household's own rules (Invalid keyed by field, rule `household_<field>`): months as YYYYMM and in
    order, 户类型 fitting the 监测对象类别, a status only for monitored households, an identification month for
    them and an elimination month once eliminated, no negative area or distance, a resettlement site for a
    relocated household, hung on a village. Fills in 风险未消除 for a monitored household without a status."""
    from bangfu.registry.models import Household

    errors: dict[str, str] = {}
    for field in ("identified_month", "eliminated_month"):
        value = getattr(household, field)
        if value:
            try:
                setattr(household, field, parse_month(value))
            except ValueError as error:
                errors[field] = _("%(field)s：%(rule)s（填写的是“%(value)s”）") % {
                    "field": Household._meta.get_field(field).verbose_name, "rule": error, "value": value}
    needed = MONITORING_TYPE_NEEDS.get(household.monitoring_type)
    if needed and household.household_type != needed:
        errors["monitoring_type"] = _("%(type)s不能认定为%(kind)s：%(kind)s应为%(needed)s") % {
            "type": c.HouseholdType(household.household_type).label,
            "kind": c.MonitoringType(household.monitoring_type).label, "needed": c.HouseholdType(needed).label}
    if household.village_id and getattr(household.village, "level", "village") != "village":
        errors["village"] = _("户必须挂在村（社区）一级")
    if household.monitoring_status and not household.monitoring_type:
        errors["monitoring_status"] = _("非监测对象不能有风险消除状态")
    if household.monitoring_type and not household.monitoring_status:
        household.monitoring_status = c.MonitoringStatus.RISK_OPEN
    if household.monitoring_type and not household.identified_month:
        errors["identified_month"] = _("监测对象必须填写识别监测时间")
    if household.monitoring_status == c.MonitoringStatus.RISK_ELIMINATED and not household.eliminated_month:
        errors["eliminated_month"] = _("风险已消除的户必须填写消除监测时间")
    for field in ("housing_area", "farmland_mu", "forest_mu", "road_distance_km"):
        value = getattr(household, field)
        if value is not None and value < 0:
            errors[field] = _("%(field)s不能为负数") % {"field": Household._meta.get_field(field).verbose_name}
    if (household.identified_month and household.eliminated_month and "identified_month" not in errors
            and "eliminated_month" not in errors and household.eliminated_month < household.identified_month):
        errors["eliminated_month"] = _("消除监测时间不能早于识别监测时间")
    if household.relocated and not household.resettlement_site.strip():
        errors["resettlement_site"] = _("易地扶贫搬迁户必须填写安置点")
    _raise([Problem(field, f"household_{field}", message) for field, message in errors.items()])


def _region_by_code(code: str):
    from bangfu.regions.models import Region

    return Region.objects.filter(code=code).first()


def household_number_check(household, *, region_of: Callable[[str], object] = _region_by_code) -> None:
    """A typed 户编号 is ASCII digits. One beginning with another place's 12-digit code is refused (a 团结村
    household must not carry 荷叶社区's prefix, nor its township's: a number is the village's or the county's); a
    county-wide sequence beginning with the household's own county's code (513225000000001) is accepted. Other
    shapes (15-18 digits from imported ledgers) stay. `region_of(code)`: the region with that code or None (an
    import passes one that remembers)."""
    number = household.number
    if not number.isdigit() or not number.isascii():
        raise Invalid([Problem("number", "household_number", _(
            "户编号只能由数字组成，填写的是“%(number)s”；留空则自动编号") % {"number": number})])
    prefix = number[:12]
    village = household.village_id or ""
    if len(number) < 12 or prefix in (village, village[:6] + "000000"):
        return
    other = region_of(prefix)
    if other is None:
        return
    raise Invalid([Problem("number", "household_number", _(
        "户编号 %(number)s 以%(other)s的区划代码 %(code)s 开头，与所选村（%(village)s）不符") % {
        "number": number, "other": other.name, "code": prefix, "village": household.village.name})])


# --- amounts ------------------------------------------------------------------------------------------------

# Bounds of a household's yearly figures, in yuan: no rural household (the registry's households) has a year's
# income, cost or spending of five million yuan, so a figure past it is a unit or typing error (万元 read as 元,
# a few digits too many), never stored. Negative only where a ledger's net can be a loss.
AMOUNT_LIMIT = Decimal("5000000")
AMOUNT_BOUNDS: dict[str, tuple[Decimal, Decimal]] = {
    "wage_income": (Decimal(0), AMOUNT_LIMIT),
    "business_income": (Decimal(0), AMOUNT_LIMIT),
    "property_income": (Decimal(0), AMOUNT_LIMIT),
    "transfer_income": (Decimal(0), AMOUNT_LIMIT),
    "production_cost": (Decimal(0), AMOUNT_LIMIT),
    "medical_spending": (Decimal(0), AMOUNT_LIMIT),
    "education_spending": (Decimal(0), AMOUNT_LIMIT),
    "given_net_income": (-AMOUNT_LIMIT, AMOUNT_LIMIT),
    "given_per_capita_income": (-AMOUNT_LIMIT, AMOUNT_LIMIT),
}
MEMBERS_COUNTED_MAX = 50  # people counted in one household's income


def _amount_label(field: str) -> str:
    from bangfu.registry.models import IncomeRecord

    return str(IncomeRecord._meta.get_field(field).verbose_name)


def amount_problem(field: str, value: Decimal | None) -> Problem | None:
    """The problem with an income record's amount (`field` of IncomeRecord), or None when inside its bounds."""
    if value is None or field not in AMOUNT_BOUNDS:
        return None
    low, high = AMOUNT_BOUNDS[field]
    if value < low and low == 0:
        return Problem(field, "negative", _("%(field)s不能为负数") % {"field": _amount_label(field)})
    if value < low or value > high:
        return Problem(field, "amount_out_of_range", _(
            "%(field)s为%(value)s元，超出%(low)s至%(high)s元：没有农户一年有这样的数额，请检查单位（元/万元）和位数") % {
            "field": _amount_label(field), "value": value, "low": low, "high": high})
    return None


def income_problems(values: Mapping[str, object]) -> list[Problem]:
    """An income record's amounts against AMOUNT_BOUNDS and its household size (1 to MEMBERS_COUNTED_MAX);
    `values` holds IncomeRecord fields (those missing are not checked)."""
    problems = [p for field, value in values.items() if (p := amount_problem(field, value)) is not None]
    members = values.get("members_counted")
    if members is not None and not 1 <= members <= MEMBERS_COUNTED_MAX:
        problems.append(Problem("members_counted", "members_counted", _(
            "家庭人口数应在1至%(max)s之间，实为%(value)s") % {"max": MEMBERS_COUNTED_MAX, "value": members}))
    return problems
