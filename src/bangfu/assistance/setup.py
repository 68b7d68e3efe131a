"""Setting paired assistance up (the county administrator, in pages): units, their linked villages over time, the
plan as a document with versions (征求意见稿 → 印发) and comments, its targets as one grid per unit or from the
county's Excel sheet, and the people who fill each village's assistance roles.

Every function is a service: it checks the actor and the county, validates, writes in one transaction and appends a
ChangeRecord (who, when, before, after). Nothing here is half-written: a grid or a sheet with one bad cell writes
nothing.
"""

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.assistance.models import (
    AssistanceRole,
    LinkedVillage,
    Plan,
    PlanComment,
    PlanTarget,
    PlanVersion,
    Unit,
    VillageRoleHolder,
)
from bangfu.assistance.selectors import units_visible_to
from bangfu.assistance.services import _check_village, _full_clean, _record, _require, _require_county
from bangfu.audit.models import ChangeRecord
from bangfu.audit.services import snapshot

Action = ChangeRecord.Action


def _merge(errors: dict, error: ValidationError) -> None:
    for key, messages in error.message_dict.items():
        errors.setdefault(key, " ".join(messages))


# --- units ----------------------------------------------------------------------------------------------------

UNIT_SETUP_FIELDS = ("name", "short_name", "kind", "is_lead", "contact_name", "contact_post", "contact_phone")


def _validate_unit(unit: Unit) -> None:
    errors: dict[str, str] = {}
    unit.name = (unit.name or "").strip()
    if Unit.objects.filter(name=unit.name).exclude(pk=unit.pk).exists():
        errors["name"] = _("已有名为“%(name)s”的帮扶单位") % {"name": unit.name}
    if unit.is_lead:
        other = Unit.objects.filter(county_id=unit.county_id, is_lead=True).exclude(pk=unit.pk).first()
        if other is not None:
            errors["is_lead"] = _("本县的牵头单位已是“%(unit)s”：一个县只有一家牵头单位，请先取消其牵头单位标记") % {
                "unit": other.name}
    try:
        _full_clean(unit, exclude=("county",))
    except ValidationError as error:
        _merge(errors, error)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def unit_create(*, actor, county_code: str, data: dict[str, Any]) -> Unit:
    """A new assisting unit of the county (the county administrator)."""
    _require_county(actor, county_code)
    unit = Unit(county_id=county_code, **{k: data[k] for k in UNIT_SETUP_FIELDS if k in data})
    _validate_unit(unit)
    unit.save()
    _record(actor, Action.CREATE, unit, None, county_code)
    return unit


@transaction.atomic
def unit_configure(*, actor, unit: Unit, data: dict[str, Any]) -> Unit:
    """The county changes a unit's name, kind, lead-unit flag and contacts (a unit edits only its contacts)."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _require_county(actor, unit.county_id)
    before = snapshot(unit)
    for key in UNIT_SETUP_FIELDS:
        if key in data:
            setattr(unit, key, data[key])
    _validate_unit(unit)
    unit.save()
    _record(actor, Action.UPDATE, unit, before, unit.county_id)
    return unit


# --- linked villages ------------------------------------------------------------------------------------------

def _overlaps(since: dt.date, until: dt.date | None, other_since: dt.date | None, other_until: dt.date | None) -> bool:
    """Two periods with inclusive ends overlap (an open end runs for ever; an unknown start from always)."""
    starts_before_other_ends = other_until is None or since <= other_until
    other_starts_before_end = until is None or other_since is None or other_since <= until
    return starts_before_other_ends and other_starts_before_end


@transaction.atomic
def linked_village_add(*, actor, unit: Unit, village, since: dt.date | None, until: dt.date | None = None,
                       ) -> LinkedVillage:
    """Link a village of the county to a unit from `since` (联系点). Several units may share a village; one unit links
    a village once at a time (a link that ended may be followed by a new one)."""
    _require_county(actor, unit.county_id)
    errors: dict[str, str] = {}
    if village is None:
        errors["village"] = _("请选择联系村")
    else:
        _check_village(errors, village, unit.county_id)
    if since is None:
        errors["since"] = _("请填写联系起始日期")
    elif until is not None and until < since:
        errors["until"] = _("结束日期不能早于起始日期（%(since)s）") % {"since": since.isoformat()}
    if not errors:
        for link in LinkedVillage.objects.select_for_update().filter(unit=unit, village=village):
            if _overlaps(since, until, link.since, link.until):
                errors["since"] = _("%(unit)s与该村已有联系（%(since)s起%(until)s），期间不能重叠") % {
                    "unit": unit.label, "since": link.since or _("不详"),
                    "until": _("，至%(d)s") % {"d": link.until} if link.until else _("，尚未结束")}
                break
    if errors:
        raise ValidationError(errors)
    link = LinkedVillage.objects.create(unit=unit, village=village, since=since, until=until)
    _record(actor, Action.CREATE, link, None, village.code)
    return link


@transaction.atomic
def linked_village_end(*, actor, link: LinkedVillage, until: dt.date) -> LinkedVillage:
    """End a link on `until` (inclusive). The link is kept with its dates. A date ahead of today is allowed: the end
    of a link is often decided in advance (a plan period, a cadre's term) and the link stays active until then."""
    link = LinkedVillage.objects.select_for_update().select_related("unit").get(pk=link.pk)
    _require_county(actor, link.unit.county_id)
    if link.until is not None and link.until < timezone.localdate():
        raise ValidationError({"until": _("该联系点已于%(d)s结束") % {"d": link.until.isoformat()}})
    if until is None:
        raise ValidationError({"until": _("请填写结束日期")})
    if link.since is not None and until < link.since:
        raise ValidationError({"until": _("结束日期不能早于起始日期（%(since)s）") % {"since": link.since.isoformat()}})
    before = snapshot(link)
    link.until = until
    link.save(update_fields=["until"])
    _record(actor, Action.UPDATE, link, before, link.village_id)
    return link


# --- village role holders ---------------------------------------------------------------------------------------

HOLDER_ROLES = tuple(r for r in AssistanceRole.values if r != AssistanceRole.ASSISTING_UNIT)


@transaction.atomic
def role_holder_add(*, actor, county_code: str, village, role: str, name: str, post: str = "", unit: Unit | None = None,
                    since: dt.date | None = None, until: dt.date | None = None) -> VillageRoleHolder:
    """Record who fills an assistance role in a village (e.g. the county contact leader 县级联系领导); one person per
    role and village at a time."""
    _require_county(actor, county_code)
    errors: dict[str, str] = {}
    if village is None:
        errors["village"] = _("请选择村")
    else:
        _check_village(errors, village, county_code)
    if role == AssistanceRole.ASSISTING_UNIT:
        errors["role"] = _("帮扶单位由联系点确定，请在单位页面联系村")
    elif role not in HOLDER_ROLES:
        errors["role"] = _("请选择帮扶力量")
    if not (name or "").strip():
        errors["name"] = _("请填写姓名")
    if since is None:
        errors["since"] = _("请填写起始日期")
    elif until is not None and until < since:
        errors["until"] = _("结束日期不能早于起始日期（%(since)s）") % {"since": since.isoformat()}
    if unit is not None and unit.county_id != county_code:
        errors["unit"] = _("所在单位须为本县的帮扶单位")
    if not errors:
        for other in VillageRoleHolder.objects.select_for_update().filter(village=village, role=role):
            if _overlaps(since, until, other.since, other.until):
                errors["since"] = _("该村此期间已有%(role)s：%(name)s（%(since)s起），请先为其填写结束日期") % {
                    "role": other.get_role_display(), "name": other.name, "since": other.since}
                break
    if errors:
        raise ValidationError(errors)
    holder = VillageRoleHolder(county_id=county_code, village=village, role=role, name=name.strip(),
                               post=(post or "").strip(), unit=unit, since=since, until=until)
    _full_clean(holder, exclude=("county", "village", "unit"))
    holder.save()
    _record(actor, Action.CREATE, holder, None, village.code)
    return holder


@transaction.atomic
def role_holder_end(*, actor, holder: VillageRoleHolder, until: dt.date) -> VillageRoleHolder:
    """The person leaves the role on `until`; the record stays (who held the role when)."""
    holder = VillageRoleHolder.objects.select_for_update().get(pk=holder.pk)
    _require_county(actor, holder.county_id)
    if until is None:
        raise ValidationError({"until": _("请填写结束日期")})
    if until < holder.since:
        raise ValidationError({"until": _("结束日期不能早于起始日期（%(since)s）") % {"since": holder.since.isoformat()}})
    before = snapshot(holder)
    holder.until = until
    holder.save(update_fields=["until"])
    _record(actor, Action.UPDATE, holder, before, holder.village_id)
    return holder


# --- the plan document ------------------------------------------------------------------------------------------

def plan_overlapping(county_code: str, start_year: int, end_year: int, *, exclude: int | None = None) -> Plan | None:
    """Another plan of the county whose years meet [start_year, end_year]: one plan per period."""
    plans = Plan.objects.filter(county_id=county_code, start_year__lte=end_year, end_year__gte=start_year)
    if exclude:
        plans = plans.exclude(pk=exclude)
    return plans.order_by("start_year").first()


@transaction.atomic
def plan_version_save(*, actor, plan: Plan, text: str, note: str = "") -> PlanVersion:
    """A new version of a draft plan's text (第N稿); earlier versions and their comments stay."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _require_county(actor, plan.county_id)
    if plan.is_adopted:
        raise ValidationError({"text": _("规划已印发，不能再修改正文")})
    if not (text or "").strip():
        raise ValidationError({"text": _("请填写规划正文")})
    number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PlanVersion(plan=plan, number=number, text=text.strip(), note=(note or "").strip(), saved_by=actor)
    _full_clean(version, exclude=("plan", "saved_by"))
    version.save()
    _record(actor, Action.CREATE, version, None, plan.county_id)
    return version


@transaction.atomic
def plan_comment_add(*, actor, plan: Plan, text: str) -> PlanComment:
    """A unit or the county comments on the current version of a draft plan (征求意见)."""
    _require(actor, "assistance.edit")
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if not units_visible_to(actor).filter(county_id=plan.county_id).exists():
        raise PermissionDenied(_("该规划不在您的查看范围内"))
    if plan.is_adopted:
        raise ValidationError({"text": _("规划已印发，征求意见已结束")})
    version = plan.versions.order_by("-number").first()
    if version is None:
        raise ValidationError({"text": _("规划尚无正文，不能提出意见")})
    if not (text or "").strip():
        raise ValidationError({"text": _("请填写意见")})
    comment = PlanComment.objects.create(plan=plan, version=version, unit=actor.unit if actor.unit_id else None,
                                         author=actor, text=text.strip())
    _record(actor, Action.CREATE, comment, None, plan.county_id)
    return comment


@transaction.atomic
def plan_adopt(*, actor, plan: Plan, adopted_on: dt.date) -> Plan:
    """The draft becomes the plan in force (印发): its latest version is the text; one plan per period."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _require_county(actor, plan.county_id)
    errors: dict[str, str] = {}
    if plan.is_adopted:
        errors["status"] = _("该规划已于%(d)s印发") % {"d": plan.adopted_on}
    elif not plan.versions.exists():
        errors["status"] = _("规划尚无正文，不能印发")
    if adopted_on is None:
        errors["adopted_on"] = _("请填写印发日期")
    elif adopted_on > timezone.localdate():
        errors["adopted_on"] = _("印发日期不能晚于今天")
    other = plan_overlapping(plan.county_id, plan.start_year, plan.end_year, exclude=plan.pk)
    if other is not None and other.is_adopted:
        errors["status"] = _("%(start)s—%(end)s年已有印发的规划“%(name)s”，同一期间只能有一个规划") % {
            "start": other.start_year, "end": other.end_year, "name": other.name}
    if errors:
        raise ValidationError(errors)
    before = snapshot(plan)
    plan.status, plan.adopted_on = Plan.Status.ADOPTED, adopted_on
    plan.save(update_fields=["status", "adopted_on"])
    _record(actor, Action.UPDATE, plan, before, plan.county_id)
    return plan


# --- targets: one grid per unit, or the county's sheet -----------------------------------------------------------

def require_target_setter(actor, plan: Plan, unit: Unit | None = None) -> None:
    """The county (bound to the plan's county) or the lead unit's coordinator sets targets."""
    if actor.can("assistance.coordinate") and actor.unit_id and actor.unit.is_lead:
        pass
    elif actor.can("assistance.configure"):
        _require_county(actor, plan.county_id)
    else:
        raise PermissionDenied(_("规划目标由县或牵头单位设定"))
    visible = units_visible_to(actor).filter(county_id=plan.county_id)
    if not visible.exists() or (unit is not None and not visible.filter(pk=unit.pk).exists()):
        raise PermissionDenied(_("该单位不在本规划的帮扶县"))


def parse_target(raw) -> Decimal | None:
    """A target cell: blank is no target; else a number not below 0 (thousands separators and 元 tolerated).
    Raises ValueError for anything else."""
    if raw is None:
        return None
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        value = Decimal(str(raw))
    else:
        text = str(raw).strip().replace(",", "").replace("，", "").removesuffix("元").strip()
        if not text:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(text) from None
    if not value.is_finite() or value < 0 or value >= Decimal("1e12"):
        raise ValueError(str(raw))
    return value.quantize(Decimal("0.01"))


def grid_key(year: int, indicator: str) -> str:
    return f"t_{year}_{indicator}"


def _write_targets(actor, plan: Plan, unit: Unit, values: dict[tuple[int, str], Decimal | None]) -> int:
    """Apply the cells to the stored targets: create, change, or remove (blank). Returns how many changed."""
    existing = {(t.year, t.indicator): t for t in PlanTarget.objects.select_for_update().filter(plan=plan, unit=unit)}
    changed = 0
    for (year, key), value in values.items():
        row = existing.get((year, key))
        if value is None:
            if row is not None:
                before = snapshot(row)
                row.delete()
                _record(actor, Action.DELETE, row, before, plan.county_id)
                changed += 1
            continue
        if row is not None and row.target == value:
            continue
        before = snapshot(row) if row else None
        row = row or PlanTarget(plan=plan, unit=unit, year=year, indicator=key)
        row.target = value
        row.save()
        _record(actor, Action.UPDATE if before else Action.CREATE, row, before, plan.county_id)
        changed += 1
    return changed


@transaction.atomic
def plan_targets_grid_save(*, actor, plan: Plan, unit: Unit, cells: dict[str, Any]) -> int:
    """A unit's targets for every year and indicator of the plan in one submit (years × indicators). Cells are keyed
    `grid_key(year, indicator)`; a blank cell means no target. One bad cell: nothing is written, and each bad cell's
    message names its year and indicator. Returns how many targets changed."""
    from bangfu.reports.assistance_indicators import indicators_for

    require_target_setter(actor, plan, unit)
    errors: dict[str, str] = {}
    values: dict[tuple[int, str], Decimal | None] = {}
    for year in plan.years:
        for indicator in indicators_for(plan.county_id):
            key = grid_key(year, indicator.key)
            if key not in cells:
                continue
            try:
                values[(year, indicator.key)] = parse_target(cells[key])
            except ValueError:
                errors[key] = _("%(year)s年“%(indicator)s”：目标值应为不小于0的数，填的是“%(value)s”") % {
                    "year": year, "indicator": indicator.label, "value": str(cells[key])[:30]}
    if errors:
        raise ValidationError(errors)
    return _write_targets(actor, plan, unit, values)


@dataclass
class SheetProblem:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return _("第%(row)s行“%(field)s”：%(message)s") % {"row": self.row, "field": self.field,
                                                        "message": self.message}


class TargetSheetError(ValidationError):
    """The sheet was refused; `problems` name each bad row, field and rule."""

    def __init__(self, problems: list[SheetProblem]):
        self.problems = problems
        super().__init__([str(p) for p in problems])


UNIT_HEADER, YEAR_HEADER = "帮扶单位", "年度"
MAX_SHEET_BYTES = 2 * 1024 * 1024


def plan_targets_template(plan: Plan, units) -> bytes:
    """The county's target sheet as .xlsx: one row per unit and year, one column per indicator, current targets
    filled in (so the sheet downloaded, edited and uploaded again changes only what was edited)."""
    import xlsxwriter

    from bangfu.reports.assistance_indicators import indicators_for

    indicators = indicators_for(plan.county_id)
    current = {(t.unit_id, t.year, t.indicator): t.target for t in PlanTarget.objects.filter(plan=plan)}
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(_("规划目标"))
    bold = book.add_format({"bold": True, "text_wrap": True})
    sheet.write_row(0, 0, [UNIT_HEADER, YEAR_HEADER] + [f"{i.label}（{i.measure}）" for i in indicators], bold)
    sheet.set_column(0, 0, 28)
    sheet.set_column(2, 1 + len(indicators), 14)
    row = 1
    for unit in units:
        for year in plan.years:
            sheet.write_string(row, 0, unit.name)
            sheet.write_number(row, 1, year)
            for col, indicator in enumerate(indicators, start=2):
                value = current.get((unit.pk, year, indicator.key))
                if value is not None:
                    sheet.write_number(row, col, float(value))
            row += 1
    sheet.freeze_panes(1, 2)
    book.close()
    return buffer.getvalue()


def _read_sheet(content: bytes) -> list[list]:
    if not content:
        raise TargetSheetError([SheetProblem(1, _("文件"), _("文件为空"))])
    if len(content) > MAX_SHEET_BYTES:
        raise TargetSheetError([SheetProblem(1, _("文件"), _("文件超过2 MB，目标表不应这么大"))])
    if not content.startswith(b"PK\x03\x04"):
        raise TargetSheetError([SheetProblem(1, _("文件"), _("不是Excel工作簿（.xlsx），请用下载的模板填写"))])
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception:  # calamine raises its own error types for damaged files
        raise TargetSheetError([SheetProblem(1, _("文件"), _("无法读取该Excel文件，文件可能已损坏"))]) from None
    return rows


def _header_index(header: list, indicators) -> tuple[dict[str, int], list[SheetProblem]]:
    """Columns by indicator key, matched on the label with or without its measure, or on the key."""
    names = {}
    for indicator in indicators:
        for name in (indicator.label, f"{indicator.label}（{indicator.measure}）",
                     f"{indicator.label}({indicator.measure})", indicator.key):
            names[name] = indicator.key
    columns: dict[str, int] = {}
    problems = []
    for col, cell in enumerate(header):
        text = str(cell or "").strip()
        if col < 2 or not text:
            continue
        key = names.get(text)
        if key is None:
            problems.append(SheetProblem(1, text, _("不是本县的帮扶指标，请用下载的模板")))
        else:
            columns[key] = col
    if [str(c or "").strip() for c in header[:2]] != [UNIT_HEADER, YEAR_HEADER]:
        problems.insert(0, SheetProblem(1, _("表头"), _("前两列应为“帮扶单位”“年度”，请用下载的模板")))
    return columns, problems


@transaction.atomic
def plan_targets_import(*, actor, plan: Plan, content: bytes) -> int:
    """The county's Excel sheet of targets (one row per unit and year, one column per indicator). Every problem is
    named by row, field and rule and the sheet is refused whole; else every row is applied. Returns how many targets
    changed."""
    from bangfu.reports.assistance_indicators import indicators_for

    require_target_setter(actor, plan)
    rows = _read_sheet(content)
    if not rows:
        raise TargetSheetError([SheetProblem(1, _("表头"), _("工作表为空"))])
    indicators = indicators_for(plan.county_id)
    labels = {i.key: i.label for i in indicators}
    columns, problems = _header_index(rows[0], indicators)
    if problems:
        raise TargetSheetError(problems)
    units = {u.name: u for u in units_visible_to(actor).filter(county_id=plan.county_id)}
    units.update({u.short_name: u for u in units.values() if u.short_name})
    by_unit: dict[int, tuple[Unit, dict]] = {}
    seen: dict[tuple[int, int], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = list(row) + [None] * (2 + len(indicators))
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        name = str(cells[0] or "").strip()
        unit = units.get(name)
        if unit is None:
            problems.append(SheetProblem(number, UNIT_HEADER, _("“%(name)s”不是本县的帮扶单位") % {"name": name}
                                         if name else _("未填写")))
        try:
            year = int(float(str(cells[1]).strip()))
            if year not in plan.years:
                raise ValueError
        except (TypeError, ValueError):
            problems.append(SheetProblem(number, YEAR_HEADER, _("应为规划期%(start)s—%(end)s内的年份，填的是“%(v)s”") % {
                "start": plan.start_year, "end": plan.end_year, "v": cells[1] if cells[1] is not None else ""}))
            year = None
        if unit is not None and year is not None:
            first = seen.setdefault((unit.pk, year), number)
            if first != number:
                problems.append(SheetProblem(number, YEAR_HEADER, _("%(unit)s%(year)s年已在第%(first)s行填写") % {
                    "unit": unit.label, "year": year, "first": first}))
        values: dict[tuple[int, str], Decimal | None] = {}
        for key, col in columns.items():
            try:
                values[(year, key)] = parse_target(cells[col])
            except ValueError:
                problems.append(SheetProblem(number, labels[key], _("目标值应为不小于0的数，填的是“%(v)s”") % {
                    "v": str(cells[col])[:30]}))
        if unit is not None and year is not None:
            by_unit.setdefault(unit.pk, (unit, {}))[1].update(values)
    if problems:
        raise TargetSheetError(problems)
    return sum(_write_targets(actor, plan, unit, values) for unit, values in by_unit.values())
