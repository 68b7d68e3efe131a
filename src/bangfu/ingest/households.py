"""The household import: ledgers of households, members and incomes, as counties keep them.

Layouts understood (by which columns a sheet has, not by its name):
- one sheet of member rows with the household's columns repeated (or merged, or left blank) on each member row;
- a household sheet and a member sheet, joined by 户编号;
- household-level sheets: one row per household with its head (户主姓名 + 证件号码) and income columns.

`households_import_plan` reads and validates without writing: it returns an `ImportPlan` with what would be
created and changed, every problem by sheet, row and column, and the defaults it applied. `households_import_commit`
(ingest/services.py) writes the plan's valid households in one transaction.

Rejection rules: a bad member row rejects that member; a bad household cell or a bad head rejects the household,
and every row of it is reported. Partial ledgers: a column the file lacks keeps the registry's value for an
existing household and takes the registry's default for a new one (the plan lists which defaults it applied).
"""

import datetime as dt
import functools
import gc
import operator
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from bangfu.core.crypto import field_cipher
from bangfu.core.db import bulk_work
from bangfu.core.id_number import IdNumberError, parse_id_number
from bangfu.core.parsing import (
    ParseError,
    clean_text,
    parse_amount,
    parse_count,
    parse_date,
    parse_month,
    parse_yes_no,
)
from bangfu.core.phone import normalise_phone
from bangfu.core.scoping import region_in_scope
from bangfu.ingest.cells import (
    VillageResolver,
    birth_date_cell,
    choice_index,
    cut_column_evidence,
    household_number_text,
    id_number_text,
    parse_choice,
    refuse_if_cut_in_column,
)
from bangfu.ingest.errors import shared_text
from bangfu.ingest.kinds import Field, ImportKind
from bangfu.ingest.reader import Row, RowError, Sheet, Workbook, read_workbook
from bangfu.regions.models import Region
from bangfu.registry import choices as c
from bangfu.registry.models import Household, IncomeRecord, Member
from bangfu.registry.validation import (
    MEMBER_RULE_DEFAULTS,
    Invalid,
    amount_problem,
    household_check,
    household_number_check,
    income_problems,
    member_identity,
    member_problems,
    person_name,
)

H, M, INC = "household", "member", "income"

HOUSEHOLDS = ImportKind("households", "农户及家庭成员", (
    Field("number", "户编号", ("户号", "家庭编号", "户代码", "农户编号"), H, True),
    Field("township", "乡镇", ("乡(镇)", "乡镇(街道)", "所在乡镇", "乡镇名称"), H),
    Field("village", "村(社区)", ("村", "行政村", "所在村", "村名称", "村委会", "村(居)", "村名"), H),
    Field("group", "组", ("村民小组", "组别", "所在组", "小组"), H),
    Field("head_name", "户主姓名", ("户主",), H),
    Field("household_size", "家庭人口数", ("家庭人口", "人口数", "家庭人数", "户人口数"), H),
    Field("household_type", "户类型", ("户属性", "农户类型", "农户属性"), H),
    Field("monitoring_type", "监测对象类别", ("监测对象类型", "监测类型", "监测对象"), H),
    Field("monitoring_status", "风险消除状态", ("是否风险消除", "消除状态"), H),
    Field("identified_month", "识别监测时间", ("纳入监测时间", "识别时间", "识别年月"), H),
    Field("eliminated_month", "消除监测时间", ("风险消除时间", "消除时间", "消除年月"), H),
    Field("phone", "联系电话", ("电话", "手机号", "手机号码", "联系方式", "户主联系电话"), H),
    Field("housing_safety", "住房安全等级", ("危房等级", "住房等级"), H),
    Field("drinking_water_safe", "饮水安全", ("饮水安全有保障", "是否饮水安全"), H),
    Field("relocated", "易地扶贫搬迁", ("易地扶贫搬迁户", "是否易地扶贫搬迁户", "是否易地扶贫搬迁"), H),
    Field("resettlement_site", "安置点", ("安置点名称", "集中安置点"), H),
    Field("name", "姓名", ("成员姓名", "家庭成员姓名"), M, True),
    Field("id_number", "证件号码", ("身份证号", "身份证号码", "公民身份号码", "居民身份证号码", "身份证件号码"), M, True),
    Field("id_type", "证件类型", ("身份证件类型",), M),
    Field("relation", "与户主关系", ("与户主的关系", "家庭关系", "关系"), M),
    Field("sex", "性别", (), M),
    Field("birth_date", "出生日期", ("出生日期(脱敏时为年份)", "出生年月"), M),
    Field("ethnicity", "民族", (), M),
    Field("political_status", "政治面貌", (), M),
    Field("education", "文化程度", ("学历",), M),
    Field("student_status", "在校生情况", ("在校生状况",), M),
    Field("health", "健康状况", ("健康状态",), M),
    Field("disability_grade", "残疾等级", (), M),
    Field("labour_ability", "劳动技能", ("劳动能力", "劳动力状况"), M),
    Field("work_place", "务工地点", ("务工区域", "务工地域"), M),
    Field("work_months", "务工时间(月)", ("务工时间", "务工月数"), M),
    Field("medical_insurance", "基本医疗保险", ("参加城乡居民基本医疗保险", "是否参加城乡居民基本医疗保险", "是否参加基本医疗保险", "医疗保险"), M),
    Field("dibao", "低保", ("享受低保", "是否享受低保", "低保户"), M),
    Field("tekun", "特困", ("特困供养", "是否特困供养", "特困人员"), M),
    Field("year", "收入年度", ("年度", "收入年份"), INC),
    Field("income_members", "收入计算人口", ("计算人口", "家庭人口数(收入)", "收入人口数"), INC),
    Field("wage_income", "工资性收入", ("工资性收入(元)",), INC),
    Field("business_income", "生产经营性收入", ("经营性收入", "生产经营性收入(元)"), INC),
    Field("property_income", "财产性收入", ("财产性收入(元)",), INC),
    Field("transfer_income", "转移性收入", ("转移性收入(元)",), INC),
    Field("production_cost", "生产经营性支出", ("经营性支出", "生产经营性支出(元)"), INC),
    Field("net_income", "家庭纯收入", ("家庭纯收入(元)", "家庭年纯收入", "纯收入", "家庭年人均纯收入合计"), INC),
    Field("per_capita_income", "人均纯收入", ("人均纯收入(元)", "家庭人均纯收入", "年人均纯收入"), INC),
))

HOUSEHOLD_KEYS = tuple(f.key for f in HOUSEHOLDS.fields if f.level == H)
MEMBER_KEYS = tuple(f.key for f in HOUSEHOLDS.fields if f.level == M)
INCOME_KEYS = tuple(f.key for f in HOUSEHOLDS.fields if f.level == INC)
COMPONENTS = ("wage_income", "business_income", "property_income", "transfer_income", "production_cost")

_CHOICES = {
    "household_type": (choice_index(c.HouseholdType, {"一般户": "ordinary", "非贫困户": "ordinary", "农户": "ordinary",
                                                     "脱贫户(含监测对象)": "formerly_poor", "已脱贫户": "formerly_poor"}), "户类型"),
    "monitoring_type": (choice_index(c.MonitoringType, {"否": "", "无": "", "非监测户": "", "脱贫不稳定": "unstable",
                                                       "边缘易致贫": "marginal", "突发严重困难": "sudden_hardship"}),
                        "监测对象类别"),
    "monitoring_status": (choice_index(c.MonitoringStatus, {"未消除": "risk_open", "已消除": "risk_eliminated",
                                                           "否": "risk_open", "是": "risk_eliminated"}), "风险消除状态"),
    "housing_safety": (choice_index(c.HousingSafety, {"A": "A", "B": "B", "C": "C", "D": "D", "C级": "C", "D级": "D",
                                                     "无": "", "安全": "A"}), "住房安全等级"),
    "id_type": (choice_index(c.IdType, {"身份证": "resident_id", "户口簿": "other", "": "resident_id"}), "证件类型"),
    "relation": (choice_index(c.Relation, {
        "本人": "head", "妻": "spouse", "妻子": "spouse", "夫": "spouse", "丈夫": "spouse", "子": "son", "儿子": "son",
        "长子": "son", "次子": "son", "三子": "son", "女": "daughter", "女儿": "daughter", "长女": "daughter",
        "次女": "daughter", "三女": "daughter", "儿媳": "daughter_in_law", "媳": "daughter_in_law",
        "女婿": "son_in_law", "婿": "son_in_law", "孙子": "grandson", "孙女": "granddaughter", "父亲": "father",
        "母亲": "mother", "父": "father", "母": "mother", "兄弟": "sibling", "姐妹": "sibling", "兄": "sibling",
        "弟": "sibling", "姐": "sibling", "妹": "sibling"}), "与户主关系"),
    "ethnicity": (choice_index(c.Ethnicity, {"汉": "han", "藏": "tibetan", "羌": "qiang", "回": "hui"}), "民族"),
    "political_status": (choice_index(c.PoliticalStatus, {"党员": "cpc", "团员": "league", "共青团员": "league"}),
                         "政治面貌"),
    "education": (choice_index(c.Education, {"文盲": "illiterate", "半文盲": "illiterate", "大专": "college",
                                            "本科": "college", "本科及以上": "college", "高中(含中专)": "senior"}),
                  "文化程度"),
    "student_status": (choice_index(c.StudentStatus, {"否": "", "无": "", "非在校": ""}), "在校生情况"),
    "health": (choice_index(c.Health, {"健康": "healthy", "大病": "serious", "慢性病": "chronic"}), "健康状况"),
    "disability_grade": (choice_index(c.DisabilityGrade, {"1": "1", "2": "2", "3": "3", "4": "4", "1级": "1",
                                                         "2级": "2", "3级": "3", "4级": "4"}), "残疾等级"),
    "labour_ability": (choice_index(c.LabourAbility, {"弱劳动力": "weak", "半劳动力": "weak"}), "劳动技能"),
    "work_place": (choice_index(c.WorkPlace, {"无": "", "否": "", "县外省内": "in_province", "乡内": "in_township"}),
                   "务工地点"),
    "sex": (choice_index(c.Sex), "性别"),
}
_YES_NO = {"drinking_water_safe", "relocated", "medical_insurance", "dibao", "tekun"}
_MONTHS = {"identified_month", "eliminated_month"}
_AMOUNTS = {"wage_income", "business_income", "property_income", "transfer_income", "production_cost", "net_income",
            "per_capita_income"}
_COUNTS = {"work_months", "household_size", "year", "income_members"}
# The IncomeRecord field a ledger's figure is stored in (or checked as), where the names differ.
_INCOME_FIELD = {"net_income": "given_net_income", "per_capita_income": "given_per_capita_income"}
_TEXTS = {"number": 30, "group": 20, "resettlement_site": 100, "name": 50, "head_name": 50, "township": 100,
          "village": 100, "phone": 30}

# New households take these when the file has no column for them (Household's own defaults).
HOUSEHOLD_DEFAULTS = {"household_type": c.HouseholdType.ORDINARY}


_REPEATING = frozenset(_CHOICES) | _YES_NO | _MONTHS | _AMOUNTS | {"work_months", "household_size", "year",
                                                                   "income_members"}


def _parse(key: str, value, language: str | None = None, unit: str | None = None, date1904: bool = False):
    """One cell to the value the registry stores, or ParseError. Values that repeat down a ledger (labels, yes/no,
    months, counts, amounts) are parsed once per distinct value of a type (1, 1.0 and True are three values; and
    per language: the messages are translated); callers that parse many cells pass the language, looked up once.
    `unit` is the money unit of the cell's column (Column.unit: 1.2 under 家庭收入情况（万元） is 12,000 元),
    `date1904` whether its workbook counts date serials from 1904 (Workbook.date1904)."""
    if key in _REPEATING:
        outcome = _parse_repeating(key, type(value), value, language or translation.get_language(), unit, date1904)
        if outcome[0] == "error":
            raise ParseError(outcome[1], outcome[2])
        return outcome[1]
    return _parse_one(key, value, unit, date1904)


@functools.lru_cache(maxsize=65536)
def _parse_repeating(key: str, kind: type, value, language, unit: str | None = None, date1904: bool = False) -> tuple:
    try:
        return ("ok", _parse_one(key, value, unit, date1904))
    except ParseError as error:
        return ("error", error.rule, error.message)


def _parse_one(key: str, value, unit: str | None = None, date1904: bool = False):
    if key in _CHOICES:
        index, what = _CHOICES[key]
        if key == "ethnicity":
            text = clean_text(value).replace(" ", "")
            if text not in index and text.endswith("族"):
                return c.Ethnicity.OTHER
        return parse_choice(value, index, what=what)
    if key in _YES_NO:
        return parse_yes_no(value)
    if key in _MONTHS:
        return parse_month(value, date1904=date1904)
    if key in _AMOUNTS:
        amount = parse_amount(value, unit)
        problem = amount_problem(_INCOME_FIELD.get(key, key), amount)  # inside registry.validation's bounds
        if problem is not None:
            raise ParseError(problem.rule, problem.message)
        return amount
    if key in _COUNTS:
        return parse_count(value)
    if key == "birth_date":
        return parse_date(value, date1904=date1904)
    text = clean_text(value)
    limit = _TEXTS.get(key)
    if limit and len(text) > limit:
        raise ParseError("too_long", _("不能超过%(limit)s个字") % {"limit": limit})
    return text


@dataclass
class MemberPlan:
    row: Row
    name: str
    id_type: str
    id_number: str
    digest: str
    sex: str
    birth_date: dt.date
    data: dict                        # member fields the file gave, parsed
    existing: Member | None = None
    changes: dict = field(default_factory=dict)

    @property
    def is_head(self) -> bool:
        return self.data.get("relation") == c.Relation.HEAD


@dataclass
class HouseholdPlan:
    number: str
    rows: list[Row] = field(default_factory=list)
    cells: dict = field(default_factory=dict)          # key -> raw value as first given
    cell_rows: dict | None = None  # key -> the row that gave it, only where that is not the household's first row
    data: dict = field(default_factory=dict)           # household fields, parsed
    phone: str | None = None
    village: Region | None = None
    existing: Household | None = None
    changes: dict = field(default_factory=dict)
    members: list[MemberPlan] = field(default_factory=list)
    income: dict | None = None
    income_existing: IncomeRecord | None = None
    income_changes: dict = field(default_factory=dict)
    rejected: bool = False
    defaults: list[str] = field(default_factory=list)

    @property
    def new(self) -> bool:
        return self.existing is None

    @property
    def writes(self) -> bool:
        return self.new or bool(self.changes) or self.phone_changed or bool(self.income_changes)

    phone_changed: bool = False

    def cell_row(self, key: str) -> Row:
        """The row that gave the household's `key` cell (for its errors): nearly always its first row, so only the
        others are kept (a tuple per cell was a tenth of a million-row plan's memory)."""
        return self.cell_rows[key] if self.cell_rows and key in self.cell_rows else self.rows[0]

    def cell(self, key: str) -> tuple[object, Row]:
        return self.cells[key], self.cell_row(key)


def _rows_with_errors(errors: list[RowError]) -> int:
    """How many rows have errors: counted along the list when it is in sheet and row order, as a plan keeps it
    (no set of a million pairs for a ledger with an error in every row)."""
    count, last = 0, None
    for e in errors:
        here = (e.sheet, e.row)
        if here != last:
            if last is not None and here < last:
                return len({(e.sheet, e.row) for e in errors})
            count, last = count + 1, here
    return count


@dataclass
class ImportPlan:
    """What an import would write, and every problem, before anything is written."""

    workbook: Workbook
    year: int
    households: list[HouseholdPlan]
    errors: list[RowError]
    defaults: Counter
    notices: list[str]
    elsewhere: int = 0  # ID numbers found registered outside the actor's jurisdiction (the duplicate-check limit)

    @property
    def accepted(self) -> list[HouseholdPlan]:
        return [h for h in self.households if not h.rejected]

    def counts(self) -> dict:
        accepted = self.accepted
        members = [m for h in accepted for m in h.members]
        return {
            "households_new": sum(1 for h in accepted if h.new),
            "households_changed": sum(1 for h in accepted if not h.new and h.writes),
            "households_unchanged": sum(1 for h in accepted if not h.new and not h.writes),
            "members_new": sum(1 for m in members if m.existing is None),
            "members_changed": sum(1 for m in members if m.existing is not None and m.changes),
            "members_unchanged": sum(1 for m in members if m.existing is not None and not m.changes),
            "households_rejected": sum(1 for h in self.households if h.rejected),
            "rows_with_errors": _rows_with_errors(self.errors),
        }

    @property
    def household_count(self) -> int:
        """Households that are or would be written (created, or changed)."""
        return sum(1 for h in self.accepted if h.writes or any(m.existing is None or m.changes for m in h.members))

    @property
    def member_count(self) -> int:
        return sum(1 for h in self.accepted for m in h.members if m.existing is None or m.changes)

    def report(self) -> dict:
        """The CLI's JSON: what is or would be written, every problem, and what the file's columns became
        (ingest.columns: `mapping`, `ignored_columns`)."""
        from bangfu.ingest.columns import columns_report

        return {"households": self.household_count, "members": self.member_count,
                "errors": [e.as_dict() for e in self.errors], **columns_report(self.workbook, HOUSEHOLDS)}

    def defaults_text(self) -> list[str]:
        return [_("%(what)s：%(count)s户") % {"what": what, "count": n} for what, n in self.defaults.items()]


class _Collector:
    """Errors as they are found, and the sheets they point into (for column headers)."""

    def __init__(self, book: Workbook):
        self.errors: list[RowError] = []
        self.sheets = {s.name: s for s in book.sheets}
        self.date1904 = book.date1904  # the workbook's date serials count from 1904

    def header(self, row: Row, key: str) -> str:
        sheet = self.sheets.get(row.sheet)
        return sheet.header_of(key) if sheet else ""

    def unit(self, row: Row, key: str) -> str | None:
        """The money unit of the row's column for `key` (its header's, its group header's or the table's note)."""
        sheet = self.sheets.get(row.sheet)
        column = sheet.mapped.get(key) if sheet else None
        return column.unit if column else None

    def add(self, sheet: Sheet | str, row: int, column: str, rule: str, message: str) -> None:
        name = sheet if isinstance(sheet, str) else sheet.name
        # Rules built per row (id_number_check_digit from its parts) are shared like the messages.
        self.errors.append(RowError(name, row, column, shared_text(rule), shared_text(message)))


def county_for(actor) -> str:
    """The county whose villages the actor's file names: the actor's own; for the command line (no actor) the
    county set in BANGFU_COUNTY, or the only county loaded."""
    from django.conf import settings

    region = getattr(actor, "region", None)
    if region is not None and region.level not in ("province", "city"):
        return region.code[:6] + "000000"
    if settings.COUNTY_CODE:
        return settings.COUNTY_CODE
    counties = list(Region.objects.filter(level="county").values_list("code", flat=True)[:2])
    if len(counties) == 1:
        return counties[0]
    raise ValidationError(_("无法确定导入所属的县：请以县级账号导入，或设置环境变量 BANGFU_COUNTY"))


def households_import_plan(*, actor, source, name: str | None = None, year: int | None = None,
                           mapping: dict[str, str] | None = None, progress=None,
                           count_hits: bool = True) -> ImportPlan:
    """Read, normalise and validate a household ledger; nothing is written.

    ID numbers found registered outside the actor's jurisdiction count toward the hourly duplicate-check limit
    like the forms' checks (registry.services.duplicate_hits_count), and a locked check refuses the preview
    before anything is looked up. `count_hits=False` for a caller that counts them itself (a page's preview that
    may read the file twice) or that re-reads a file already previewed (its commit)."""
    from bangfu.registry.services import duplicate_check_refuse_if_locked, duplicate_hits_count

    if count_hits:
        duplicate_check_refuse_if_locked(actor)
    with bulk_work():
        book = read_workbook(source, kind=HOUSEHOLDS, mapping=mapping, name=name)
        plan = _plan(actor, book, year=year, progress=progress)
    if count_hits:
        duplicate_hits_count(actor, plan.elsewhere)
    return plan


def _plan(actor, book: Workbook, *, year: int | None, progress=None) -> ImportPlan:
    out = _Collector(book)
    notices: list[str] = []
    defaults: Counter = Counter()
    resolver = VillageResolver(county_for(actor))
    total = sum(len(s.rows) for s in book.sheets)
    if progress:
        progress.total(total)
    done = 0
    ctx = _Context(translation.get_language(), dt.date.today(), field_cipher())
    this_year = ctx.today.year
    if year is None:
        year_given = any("year" in s.mapped for s in book.sheets)
        year = this_year - 1
        if not year_given and any(set(s.mapped) & set(INCOME_KEYS) for s in book.sheets):
            notices.append(_("文件未写收入年度，收入按%(year)s年登记（可用 --year 或在页面上指定）") % {"year": year})

    households: dict[str, HouseholdPlan] = {}
    heads_by_id: dict[str, HouseholdPlan] = {}  # rows with no 户编号: placed by their head's ID number
    seen_ids: dict[str, Row] = {}

    for sheet in book.sheets:
        cols = sheet.mapped
        member_sheet = "name" in cols or ("head_name" in cols and "id_number" in cols)
        head_only = member_sheet and "name" not in cols
        household_keys = [k for k in HOUSEHOLD_KEYS if k in cols]
        member_keys = tuple(k for k in _MEMBER_PARSED if k in cols or (head_only and k == "relation"))
        current: HouseholdPlan | None = None
        refused: Row | None = None  # the row whose 户编号 was refused, while its member rows follow
        carried: dict = {}
        cut = _cut_columns(sheet)
        for row in sheet.rows:
            done += 1
            if progress and done % 500 == 0:
                progress.advance(done)
            if done % 10_000 == 0:
                # The collector is paused (bulk_work), but a refused row leaves cycles (a ValidationError lists
                # itself): collecting only what is new since the last time frees them, walking each object once.
                gc.collect(0)
            values = row.values  # a new dict on each access
            if head_only:
                values["name"] = values.get("head_name", "")
                values["relation"] = "户主"
            relation_text = _text(values.get("relation", "")).replace(" ", "")
            starts_household = relation_text in ("户主", "本人")
            try:
                number = household_number_text(values.get("number", ""))
                refuse_if_cut_in_column(number, id_number=False, evidence_row=cut["number"], row=row.number)
            except ParseError as error:
                out.add(sheet, row.number, sheet.header_of("number"), error.rule, error.message)
                current, refused = None, row
                continue
            if member_sheet and not head_only and not number and refused is not None and not starts_household:
                # A member row under a household whose 户编号 was refused: it goes nowhere either.
                out.add(sheet, row.number, "", "household_rejected", _(
                    "本户的户编号有错误（见%(sheet)s第%(row)s行），整户未导入") % {"sheet": refused.sheet, "row": refused.number})
                continue
            refused = None
            if member_sheet and not head_only and not number and current is not None and not (
                    starts_household and any(m.is_head for m in current.members)):
                # The household's cells merged (or left blank) down its member rows: they carry down.
                number = current.number
                for key, value in carried.items():
                    if values.get(key, "") == "":
                        values[key] = value
            elif member_sheet and number and current is not None and number == current.number:
                for key, value in carried.items():
                    if values.get(key, "") == "":
                        values[key] = value
            if not number:
                plan = _household_by_head(values, row, sheet, heads_by_id, out)
                if plan is None:
                    continue
            else:
                if len(number) > 30:
                    out.add(sheet, row.number, sheet.header_of("number"), "too_long", _("户编号不能超过30个字符"))
                    continue
                plan = households.get(number)
                if plan is None:
                    plan = households[number] = HouseholdPlan(number)
            plan.rows.append(row)
            current = plan
            carried = {k: values[k] for k in household_keys if values.get(k, "") != ""}
            _take_household_cells(plan, values, row, sheet, out)
            if member_sheet:
                member = _member_from(values, row, sheet, out, seen_ids, ctx, member_keys, cut["id_number"])
                if member is None:
                    if starts_household:
                        plan.rejected = True
                        out.add(sheet, row.number, "", "head_rejected", _("户主信息有误，整户未导入"))
                    continue
                plan.members.append(member)

    plans = list(households.values()) + [p for p in heads_by_id.values() if p.number not in households]
    elsewhere = _resolve_against_registry(actor, plans, resolver, out, year, defaults)
    _reject_whole_households(plans, out)
    if progress:
        progress.advance(total)
    # By sheet and row, in two stable sorts whose keys are the errors' own fields (a key of (sheet, row) tuples
    # would add a tuple per error: a million of them for a ledger with an error in every row).
    out.errors.sort(key=operator.attrgetter("row"))
    out.errors.sort(key=operator.attrgetter("sheet"))
    return ImportPlan(book, year, plans, out.errors, defaults, notices, elsewhere)


def _cut_columns(sheet: Sheet) -> dict:
    """For the 户编号 and ID-number columns, the first row showing that Excel cut the column's numbers (None when
    none does): ingest.cells' rule for values Excel cut, read before any row is judged."""
    return {key: cut_column_evidence(((row.number, row.value(key)) for row in sheet.rows),
                                     id_number=key == "id_number") if key in sheet.mapped else None
            for key in ("number", "id_number")}


def _household_by_head(values, row, sheet, heads_by_id, out) -> HouseholdPlan | None:
    """A row without 户编号: its household is the one whose head holds this ID number (already registered)."""
    relation = clean_text(values.get("relation", "")).replace(" ", "")
    if "number" in sheet.mapped or relation not in ("户主", "本人", ""):
        out.add(sheet, row.number, sheet.header_of("number") or _("户编号"), "number_required",
                _("户编号不能为空"))
        return None
    try:
        number = parse_id_number(id_number_text(values.get("id_number", ""))).number
    except (ParseError, IdNumberError):
        out.add(sheet, row.number, _("户编号"), "number_required", _("没有户编号列时，须由户主的证件号码找到已登记的户"))
        return None
    digest = field_cipher().blind_index("id_number", number)
    holder = Member.objects.filter(id_number_digest=digest, relation=c.Relation.HEAD).select_related("household").first()
    if holder is None:
        out.add(sheet, row.number, _("户编号"), "number_required", _("新户必须填写户编号（该户主尚未登记）"))
        return None
    key = holder.household.number
    return heads_by_id.setdefault(key, HouseholdPlan(key))


@dataclass(frozen=True)
class _Context:
    """What every row of a plan shares, looked up once rather than per row: the language (messages of cached
    parses are translated), today (ID numbers' birth dates), the field cipher (blind indexes)."""

    language: str
    today: dt.date
    cipher: object


# Member cells parsed by _parse (the name, the ID number and the birth date have their own rules).
_MEMBER_PARSED = tuple(k for k in MEMBER_KEYS if k not in ("name", "id_number", "birth_date"))


def _text(value) -> str:
    """A value from the reader as clean text: the reader has already cleaned every text cell (clean_text), so
    only numbers and dates are converted here; called several times per row."""
    return value if type(value) is str else clean_text(value)


_HOUSEHOLD_CELLS = (frozenset(HOUSEHOLD_KEYS) | frozenset(INCOME_KEYS)) - {"number"}


def _take_household_cells(plan: HouseholdPlan, values: dict, row: Row, sheet: Sheet, out: _Collector) -> None:
    for key, raw in values.items():
        if raw == "" or key not in _HOUSEHOLD_CELLS:
            continue
        if key in plan.cells:
            first, first_row = plan.cell(key)
            if first != raw and clean_text(first) != clean_text(raw) and not (
                    key in INCOME_KEYS and _same_amount(first, raw)):
                plan.rejected = True
                out.add(sheet, row.number, sheet.header_of(key), "household_conflict",
                        _("同一户的“%(column)s”与%(sheet)s第%(row)s行不一致（%(a)s / %(b)s）") % {
                            "column": sheet.header_of(key), "sheet": first_row.sheet, "row": first_row.number,
                            "a": clean_text(first), "b": clean_text(raw)})
            continue
        plan.cells[key] = raw
        if row is not plan.rows[0]:
            if plan.cell_rows is None:
                plan.cell_rows = {}
            plan.cell_rows[key] = row


def _same_amount(a, b) -> bool:
    try:
        return parse_amount(a) == parse_amount(b)
    except ParseError:
        return False


def _member_from(values: dict, row: Row, sheet: Sheet, out: _Collector, seen_ids: dict, ctx: "_Context",
                 member_keys: tuple[str, ...], cut_evidence: int | None = None) -> MemberPlan | None:
    """One member row, parsed; errors reported and None when the row cannot be taken. `member_keys`: the member
    fields the sheet has, to parse (those of _MEMBER_PARSED, in its order). The name and the document go through
    registry.validation, as on the member form; the member's other rules need the registry's record of them and
    are judged against it (_resolve_against_registry). `cut_evidence`: the row showing Excel cut the ID-number
    column's numbers, if one does (ingest.cells)."""
    ok = True
    data = {}
    name = _text(values.get("name", ""))
    try:
        name = person_name(name)
    except Invalid as error:
        _report(out, sheet, row, error, "name")
        ok = False
    for key in member_keys:
        if values.get(key, "") == "":
            continue
        try:
            data[key] = _parse(key, values[key], ctx.language, date1904=out.date1904)
        except ParseError as error:
            out.add(sheet, row.number, sheet.header_of(key), error.rule, error.message)
            ok = False
    if data.get("relation") is None and _text(values.get("relation", "")) == "" and name and \
            name == _text(values.get("head_name", "")):
        data["relation"] = c.Relation.HEAD
    id_type = data.get("id_type") or c.IdType.RESIDENT_ID
    identity = birth = None
    if values.get("birth_date", "") != "":
        try:
            birth = birth_date_cell(values["birth_date"], date1904=out.date1904)  # compared with the document's below
        except ParseError as error:
            out.add(sheet, row.number, sheet.header_of("birth_date"), error.rule, error.message)
            ok = False
    try:
        text = id_number_text(values.get("id_number", ""))
        if "*" in text:
            raise ParseError("id_number_masked", _("证件号码是脱敏的（含*），无法导入：请导出完整号码后再导入"))
        if not text:
            raise ParseError("id_number_required", _("证件号码不能为空"))
        if id_type == c.IdType.RESIDENT_ID:
            refuse_if_cut_in_column(text, id_number=True, evidence_row=cut_evidence, row=row.number)
    except ParseError as error:
        out.add(sheet, row.number, sheet.header_of("id_number") or _("证件号码"), error.rule, error.message)
        ok = False
    else:
        try:
            identity = member_identity(text, id_type=id_type, sex=data.get("sex"), birth_date=birth, today=ctx.today)
        except Invalid as error:
            _report(out, sheet, row, error, "id_number")
            ok = False
    if identity is not None:
        key = identity.number if id_type == c.IdType.RESIDENT_ID else f"{id_type}:{identity.number}"
        if key in seen_ids:
            first = seen_ids[key]
            out.add(sheet, row.number, sheet.header_of("id_number"), "id_number_duplicate_in_file",
                    _("证件号码与%(sheet)s第%(row)s行重复") % {"sheet": first.sheet, "row": first.number})
            ok = False
        else:
            seen_ids[key] = row
    if not ok:
        return None
    data.pop("sex", None)
    data["name"] = name
    digest = _blind_index(id_type, identity.number, ctx.cipher)
    return MemberPlan(row, name, id_type, identity.number, digest, identity.sex, identity.birth_date, data)


def _report(out: _Collector, sheet: Sheet, row: Row, error: Invalid, fallback: str) -> None:
    """Each problem of a validation at the column of the field it concerns (or of `fallback`)."""
    for problem in error.problems:
        column = sheet.header_of(problem.field) or sheet.header_of(fallback) or _field_label(problem.field)
        out.add(sheet, row.number, column, problem.rule, problem.message)


def _field_label(key: str) -> str:
    return next((f.label for f in HOUSEHOLDS.fields if f.key == key), "")


def _blind_index(id_type: str, number: str, cipher=None) -> str:
    from bangfu.registry.services import _identity_digest

    return _identity_digest(id_type, number, cipher)  # the registry's one rule: one person, one index entry


# --- against the registry -----------------------------------------------------------------------------------

def _chunks(items: list, size: int = 900):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _present(model, field: str, values: list) -> list:
    """Those of `values` that `model` holds in `field` (an indexed column), asked in plain SQL: an import asks it
    of every ID number and 户编号 in the file, most of which a first import does not find, and the registry's
    objects are then loaded only for those found."""
    from django.db import connection

    quote = connection.ops.quote_name
    column, table = quote(model._meta.get_field(field).column), quote(model._meta.db_table)
    found = []
    with connection.cursor() as cursor:
        for chunk in _chunks(values):
            cursor.execute(f"SELECT {column} FROM {table} WHERE {column} IN ({', '.join(['%s'] * len(chunk))})",
                           chunk)
            found += [row[0] for row in cursor.fetchall()]
    return found


def _resolve_against_registry(actor, plans: list[HouseholdPlan], resolver: VillageResolver, out: _Collector,
                              year: int, defaults: Counter) -> int:
    from bangfu.registry.selectors import households_visible_to

    numbers = _present(Household, "number", [p.number for p in plans])
    existing: dict[str, Household] = {}
    for chunk in _chunks(numbers):
        for household in Household.objects.filter(number__in=chunk).select_related("village"):
            existing[household.number] = household
    visible = set()
    for chunk in _chunks([h.pk for h in existing.values()]):
        visible.update(households_visible_to(actor).filter(pk__in=chunk).values_list("pk", flat=True))
    digests = _present(Member, "id_number_digest", [m.digest for p in plans for m in p.members])
    holders: dict[str, Member] = {}
    for chunk in _chunks(digests):
        for member in Member.objects.filter(id_number_digest__in=chunk).select_related("household"):
            holders[member.id_number_digest] = member
    incomes: dict[int, IncomeRecord] = {}
    for chunk in _chunks([h.pk for h in existing.values()]):
        for record in IncomeRecord.objects.filter(household_id__in=chunk, year=year):
            incomes[record.household_id] = record
    heads: dict[int, Member] = {}
    for chunk in _chunks([h.pk for h in existing.values()]):
        for member in Member.objects.filter(household_id__in=chunk, relation=c.Relation.HEAD):
            heads[member.household_id] = member
    member_counts: Counter = Counter()
    for chunk in _chunks([h.pk for h in existing.values()]):
        member_counts.update(Member.objects.filter(household_id__in=chunk).values_list("household_id", flat=True))
    in_scope: dict[str, bool] = {}
    today = dt.date.today()
    this_year = today.year
    language = translation.get_language()
    # Messages counted per household, translated once.
    no_relation = _("新成员未写与户主关系，记为“其他”")
    no_status = _("监测对象未写风险消除状态，按“风险未消除”")
    defaulted = {key: _("未写%(column)s，按“%(value)s”") % {
        "column": HOUSEHOLDS.field(key).label, "value": c.HouseholdType(value).label}
        for key, value in HOUSEHOLD_DEFAULTS.items()}
    elsewhere = 0  # ID numbers registered outside the actor's jurisdiction: a security event, as on the forms
    region_of = functools.cache(lambda code: Region.objects.filter(code=code).first())  # 户编号 prefixes, once each
    new_household = _NewHousehold()

    for plan in plans:
        first = plan.rows[0]
        household = existing.get(plan.number)
        if household is not None and household.pk not in visible:
            _fail(plan, out, first, out.header(first, "number"), "number_out_of_scope",
                  _("户编号 %(number)s 已登记在您的管辖范围之外") % {"number": plan.number})
            continue
        plan.existing = household
        # household cells
        for key, raw in plan.cells.items():
            if key in ("village", "township", "head_name", "household_size") or key in INCOME_KEYS:
                continue
            try:
                plan.data[key] = _parse(key, raw, language, date1904=out.date1904)
            except ParseError as error:
                row = plan.cell_row(key)
                _fail(plan, out, row, out.header(row, key), error.rule, error.message)
        if "phone" in plan.data:
            phone = plan.data.pop("phone")
            try:
                plan.phone = normalise_phone(phone) if phone else ""
            except ValueError as error:
                _fail(plan, out, plan.cell_row("phone"), out.header(plan.cell_row("phone"), "phone"), "phone",
                      str(error))
        if "village" in plan.cells:
            raw, row = plan.cell("village")
            township = clean_text(plan.cells["township"]) if "township" in plan.cells else ""
            text = clean_text(raw)
            try:
                village = resolver.resolve(text if not township or text.startswith(township) else township + text)
            except ParseError as error:
                _fail(plan, out, row, out.header(row, "village"), error.rule, error.message)
                village = None
            if village is not None:
                if village.code not in in_scope:
                    in_scope[village.code] = region_in_scope(actor, village.code)
                if not in_scope[village.code]:
                    _fail(plan, out, row, out.header(row, "village"), "village_out_of_scope",
                          _("%(village)s不在您的管辖范围内") % {"village": village.name})
                elif household is None and village.valid_to and village.valid_to <= today:
                    _fail(plan, out, row, out.header(row, "village"), "village_retired",
                          _("%(village)s已撤销，不能再登记新户") % {"village": village.name})
                else:
                    plan.village = village
        elif household is None:
            _fail(plan, out, first, out.header(first, "village") or _("村（社区）"), "village_required",
                  _("新户必须填写所在村（社区）"))
        # members against the registry
        kept = []
        for member in plan.members:
            holder = holders.get(member.digest)
            if holder is not None and (household is None or holder.household_id != household.pk):
                from bangfu.registry.services import DuplicateElsewhere, _refuse_duplicate

                header = out.header(member.row, "id_number")
                try:
                    _refuse_duplicate(holder, actor)
                except DuplicateElsewhere as error:
                    elsewhere += 1
                    message = "；".join(error.message_dict["id_number"])
                except ValidationError as error:
                    message = "；".join(error.message_dict["id_number"])
                out.add(member.row.sheet, member.row.number, header, "id_number_registered", message)
                if member.is_head:
                    _fail(plan, out, member.row, header, "head_rejected", _("户主信息有误，整户未导入"))
                continue
            problems = member_problems(sex=member.sex, **_member_rule_values(member, holder))
            if problems:  # as member_add / member_update would refuse the member, with the registry's values
                for problem in problems:
                    out.add(member.row.sheet, member.row.number,
                            out.header(member.row, problem.field) or _field_label(problem.field), problem.rule,
                            problem.message)
                if member.is_head:
                    _fail(plan, out, member.row, "", "head_rejected", _("户主信息有误，整户未导入"))
                continue
            member.existing = holder
            if holder is None and "relation" not in member.data:
                defaults[no_relation] += 1
                member.data["relation"] = c.Relation.OTHER
            if holder is not None:
                member.changes = {k: v for k, v in member.data.items() if getattr(holder, k) != v}
            kept.append(member)
        plan.members = kept
        heads_in_file = [m for m in plan.members if m.data.get("relation") == c.Relation.HEAD]
        registered_head = heads.get(household.pk) if household else None
        for extra in heads_in_file[1:] if heads_in_file else []:
            _fail(plan, out, extra.row, out.header(extra.row, "relation"), "two_heads",
                  _("同一户有两个户主（另见%(sheet)s第%(row)s行）") % {"sheet": heads_in_file[0].row.sheet,
                                                         "row": heads_in_file[0].row.number})
        if heads_in_file and registered_head and registered_head.id_number_digest != heads_in_file[0].digest:
            _fail(plan, out, heads_in_file[0].row, out.header(heads_in_file[0].row, "relation"), "two_heads",
                  _("该户已有户主 %(name)s：请先在系统中变更户主") % {"name": registered_head.name})
        if plan.rejected:
            continue
        # the household's fields
        if household is None:
            for key, value in HOUSEHOLD_DEFAULTS.items():
                if key not in plan.data:
                    plan.data[key] = value
                    defaults[defaulted[key]] += 1
            if plan.data.get("monitoring_type") and "monitoring_status" not in plan.data:
                defaults[no_status] += 1
            candidate = new_household(number=plan.number, village=plan.village, **plan.data)
        else:
            candidate = Household.objects.model(**{f.attname: getattr(household, f.attname)
                                                  for f in Household._meta.concrete_fields})
            candidate.village = plan.village or household.village
            for key, value in plan.data.items():
                setattr(candidate, key, value)
            plan.changes = {k: v for k, v in plan.data.items() if getattr(household, k) != v}
            if plan.village and plan.village.code != household.village_id:
                plan.changes["village"] = plan.village
            if plan.phone is not None:
                cipher = field_cipher()
                plan.phone_changed = (cipher.blind_index("phone", plan.phone) if plan.phone else "") != household.phone_digest
        if plan.village is None and household is None:
            continue
        try:
            if household is None:
                household_number_check(candidate, region_of=region_of)
            household_check(candidate)
        except Invalid as error:
            for problem in error.problems:
                row = plan.cell_row(problem.field) if problem.field in plan.cells else first
                _fail(plan, out, row, out.header(row, problem.field) or str(
                    Household._meta.get_field(problem.field).verbose_name), problem.rule, problem.message)
            continue
        if household is None:
            plan.data = {k: getattr(candidate, k) for k in plan.data} | {
                "monitoring_status": candidate.monitoring_status}
        # income
        _plan_income(plan, out, year, this_year, incomes.get(household.pk) if household else None,
                     member_counts.get(household.pk, 0) if household else 0, defaults, language)
    if elsewhere and getattr(actor, "pk", None):
        from bangfu.audit.models import SecurityEvent
        from bangfu.audit.services import security_event_record

        security_event_record(kind=SecurityEvent.Kind.DUPLICATE_ELSEWHERE, actor=actor, username=actor.username,
                              detail=_("导入文件中%(count)s个证件号码已登记在辖区外") % {"count": elsewhere})
    return elsewhere


def _member_rule_values(member: MemberPlan, holder: Member | None) -> dict:
    """The values registry.validation.member_problems judges: the file's, and for what the file leaves out the
    registered member's (or a new member's defaults), as the member would be saved."""
    return {key: member.data[key] if key in member.data else (getattr(holder, key) if holder else default)
            for key, default in MEMBER_RULE_DEFAULTS.items()}


class _NewHousehold:
    """Household(**values), for the candidate of every new household a plan validates: the model's __init__
    sets each of its 30 fields per call (a sixth of planning a 100,000-row file), so the defaults are set once on
    one instance and copied. Callable defaults are called per copy; with a pre_init or post_init receiver on
    Household, each candidate is built by __init__ itself."""

    def __init__(self):
        from django.db.models import signals

        self.signalled = signals.pre_init.has_listeners(Household) or signals.post_init.has_listeners(Household)
        self.defaults = {k: v for k, v in Household().__dict__.items() if k != "_state"}
        self.called = [(f.attname, f) for f in Household._meta.concrete_fields
                       if f.has_default() and callable(f.default)]

    def __call__(self, **values) -> Household:
        if self.signalled:
            return Household(**values)
        from django.db.models.base import ModelState

        household = Household.__new__(Household)
        household.__dict__.update(self.defaults)
        household._state = ModelState()
        for attname, model_field in self.called:
            household.__dict__[attname] = model_field.get_default()
        for key, value in values.items():
            setattr(household, key, value)
        return household


def _fail(plan: HouseholdPlan, out: _Collector, row: Row, column: str, rule: str, message: str) -> None:
    plan.rejected = True
    out.add(row.sheet, row.number, column, rule, message)


def _reject_whole_households(plans: list[HouseholdPlan], out: _Collector) -> None:
    """Every row of a rejected household is reported, so the user sees the whole household went nowhere."""
    flagged = {(e.sheet, e.row) for e in out.errors}
    for plan in plans:
        if not plan.rejected:
            continue
        for row in plan.rows:
            if (row.sheet, row.number) not in flagged:
                out.add(row.sheet, row.number, "", "household_rejected",
                        _("户编号 %(number)s 有错误，整户未导入（错误见本户其他行）") % {"number": plan.number})
                flagged.add((row.sheet, row.number))


def _plan_income(plan: HouseholdPlan, out: _Collector, year: int, this_year: int, record: IncomeRecord | None,
                 registered_members: int, defaults: Counter, language: str | None = None) -> None:
    given = {k: plan.cell(k) for k in INCOME_KEYS if k in plan.cells}
    if not given or set(given) <= {"year", "income_members"}:
        return
    values = {}
    for key, (raw, row) in given.items():
        try:
            values[key] = _parse(key, raw, language, out.unit(row, key), out.date1904)
        except ParseError as error:
            _fail(plan, out, row, out.header(row, key), error.rule, error.message)
            return
    income_year = values.pop("year", year)
    if not 2000 <= income_year <= this_year:
        row = given["year"][1]
        _fail(plan, out, row, out.header(row, "year"), "year",
              _("年度应在2000至%(year)s之间") % {"year": this_year})
        return
    size = values.pop("income_members", None)
    if size is None and "household_size" in plan.cells:
        try:
            size = parse_count(plan.cells["household_size"])
        except ParseError as error:
            row = plan.cell_row("household_size")
            _fail(plan, out, row, out.header(row, "household_size"), error.rule, error.message)
            return
    for problem in income_problems({"members_counted": size} if size else {}):  # registry.validation's bounds
        key = "income_members" if "income_members" in given else "household_size"
        row = plan.cell_row(key)
        _fail(plan, out, row, out.header(row, key), problem.rule, problem.message)
        return
    members = size or (registered_members + sum(1 for m in plan.members if m.existing is None)) or 1
    data: dict = {"members_counted": members}
    first_row = next(iter(given.values()))[1]
    if any(k in values for k in COMPONENTS):
        data["given"] = IncomeRecord.Given.COMPONENTS
        for key in COMPONENTS:
            data[key] = values.get(key, Decimal("0.00"))
        data["given_net_income"] = data["given_per_capita_income"] = None
        net = sum(data[k] for k in COMPONENTS[:4]) - data["production_cost"]
        if "net_income" in values and abs(values["net_income"] - net) > Decimal("1"):
            _fail(plan, out, given["net_income"][1], out.header(first_row, "net_income"), "net_income_mismatch",
                  _("家庭纯收入%(given)s与各项收入减支出之和%(sum)s不符") % {"given": values["net_income"], "sum": net})
            return
        per_capita = (net / members).quantize(Decimal("0.01"))
        if "per_capita_income" in values and abs(values["per_capita_income"] - per_capita) > Decimal("1"):
            _fail(plan, out, given["per_capita_income"][1], out.header(first_row, "per_capita_income"),
                  "per_capita_mismatch", _("人均纯收入%(given)s与家庭纯收入÷人口数%(value)s不符") % {
                      "given": values["per_capita_income"], "value": per_capita})
            return
    elif "net_income" in values:
        data.update(given=IncomeRecord.Given.NET, given_net_income=values["net_income"], given_per_capita_income=None)
        data.update({k: Decimal("0.00") for k in COMPONENTS})
    elif "per_capita_income" in values:
        if size is None:
            defaults[_("只有人均纯收入、未写家庭人口数：按登记的成员数计算")] += 1
        data.update(given=IncomeRecord.Given.PER_CAPITA, given_per_capita_income=values["per_capita_income"],
                    given_net_income=None)
        data.update({k: Decimal("0.00") for k in COMPONENTS})
    else:
        return
    plan.income = {"year": income_year, **data}
    plan.income_existing = record if record is not None and record.year == income_year else None
    if plan.income_existing is None and record is None and plan.existing is not None:
        plan.income_existing = IncomeRecord.objects.filter(household=plan.existing, year=income_year).first()
    if plan.income_existing is None:
        plan.income_changes = data
    else:
        plan.income_changes = {k: v for k, v in data.items() if getattr(plan.income_existing, k) != v}


