"""Word documents people hand round, written with python-docx from the ledger (never retyped):

- the joint meeting's briefing (联席会议简报): the county's figures, each unit's work since a date with its figures,
  donations, projects and visits, the plan's progress and the open rectification items;
- a unit's annual report (年度帮扶工作报告).

Readers pass through the same door as pages: `units` is what the reader may see. The command line passes every
unit of the county (its operator already holds the database).
"""

import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.db.models import Q
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Pt

from bangfu.assistance.models import Donation, Finding, LeaderVisit, Plan, Project, Task, Training, Unit
from bangfu.assistance.selectors import village_label
from bangfu.reports.assistance_indicators import (
    STANDARD_INDICATORS,
    grade_for,
    plan_progress,
    unit_figures,
    year_span,
)
from bangfu.web.documents import PrintableDocument, cell_text

FONT = "Noto Sans CJK SC"


def fmt(value: Decimal | int | None, measure: str = "") -> str:
    """12,000元 / 1.2万元 for money of ten thousand and more; counts as integers."""
    if value is None:
        return "—"
    value = Decimal(value)
    if measure == "元":
        if abs(value) >= 10000:
            return f"{(value / 10000).quantize(Decimal('0.01')).normalize():f}万元"
        return f"{value.quantize(Decimal('0.01')).normalize():f}元"
    return f"{value.quantize(Decimal(1)):f}{measure}"


def yuan(value: Decimal) -> str:
    """An exact amount for one item: 12,345元, 12,345.5元."""
    text = f"{Decimal(value):,.2f}".rstrip("0").rstrip(".")
    return f"{text}元"


def rate_text(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{rate}%"


def unit_work_summary(unit: Unit, since: dt.date, until: dt.date, *, head: str = "") -> str:
    """One paragraph of what a unit did in the period, in the words of the ledger (the draft of its report)."""
    figures = unit_figures([unit.pk], since, until)[unit.pk]
    parts = [f"{i.label}{fmt(figures[i.key], i.measure)}" for i in STANDARD_INDICATORS if figures[i.key]]
    head = head or f"{since:%Y年%-m月%-d日}以来，{unit.name}"
    if not parts:
        return head + "尚未在台账中登记帮扶工作。"
    text = head + "：" + "，".join(parts) + "。"
    projects = Project.objects.filter(unit=unit, date__gte=since, date__lte=until).order_by("date")
    if projects:
        text += "实施" + "、".join(f"{p.name}（{p.get_direction_display()}，{fmt(p.budget, '元')}）"
                                   for p in projects[:6]) + "等项目。"
    visits = LeaderVisit.objects.filter(unit=unit, date__gte=since, date__lte=until).select_related(
        "village", "village__parent").order_by("date")
    if visits:
        text += f"领导调研{len(visits)}次，其中" + "、".join(
            f"{v.date:%Y年%-m月%-d日}{v.leaders}到{v.place or village_label(v.village)}调研"
            for v in visits.order_by("-people", "date")[:4]) + "。"
    return text


def _document(title: str, subtitle: str, *, landscape: bool = False) -> Document:
    document = PrintableDocument(Document())
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", FONT)
    section = document.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    section.left_margin = section.right_margin = Cm(2)
    document.add_heading(title, level=0)
    document.add_paragraph(subtitle)
    return document


def _table(document: Document, headings: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headings, strict=True):
        cell_text(cell, text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell_text(cell, text)


def _county_figures(county_code: str) -> dict[str, int]:
    """The county's registry figures, as the work bench defines them (aggregates only, no personal data)."""
    from bangfu.core.scoping import code_range_q
    from bangfu.regions.models import Region
    from bangfu.registry.models import Household
    from bangfu.reports.indicators import registry_totals

    county = Region.objects.get(code=county_code)
    return registry_totals(Household.objects.filter(code_range_q(county.code_range), is_active=True))


def briefing_write(*, units, since: dt.date, until: dt.date, path: Path) -> Path:
    """The joint meeting's briefing for the given units, covering [since, until]."""
    from bangfu.reports.indicators import INDICATORS

    units = list(units)
    if not units:
        raise ValueError("no units")
    county = units[0].county
    document = _document(f"{county.name}定点帮扶联席会议简报",
                         f"统计期：{since:%Y年%-m月%-d日}至{until:%Y年%-m月%-d日}　　"
                         f"牵头单位：{next((u.name for u in units if u.is_lead), '—')}　　"
                         f"生成日期：{dt.date.today():%Y年%-m月%-d日}（数据来自帮扶台账）", landscape=True)

    document.add_heading("一、县情和监测帮扶情况", level=1)
    totals = _county_figures(county.code)
    document.add_paragraph("，".join(f"{i.label}{totals[i.key]:,}" for i in INDICATORS) + "。")

    document.add_heading("二、各帮扶单位工作情况", level=1)
    figures = unit_figures([u.pk for u in units], since, until)
    indicators = list(STANDARD_INDICATORS)
    rows = []
    for indicator in indicators:
        values = [figures[u.pk][indicator.key] for u in units]
        rows.append([indicator.label, *[fmt(v, indicator.measure) for v in values],
                     fmt(sum(values, Decimal(0)), indicator.measure)])
    _table(document, ["指标", *[u.label for u in units], "合计"], rows)
    for number, unit in enumerate(units, start=1):
        document.add_heading(f"（{_chinese_number(number)}）{unit.name}", level=2)
        document.add_paragraph(unit_work_summary(unit, since, until))
        donations = Donation.objects.filter(unit=unit, date__gte=since, date__lte=until).order_by("date")
        for donation in donations:
            document.add_paragraph(
                f"捐赠：{donation.date:%Y年%-m月%-d日}向{donation.recipient}捐赠{donation.items or donation.get_form_display()}，"
                f"价值{yuan(donation.value)}" + (f"（{donation.joint_name}）" if donation.joint_name else ""),
                style="List Bullet")
        trainings = Training.objects.filter(unit=unit, date__gte=since, date__lte=until).order_by("date")
        for training in trainings:
            document.add_paragraph(f"培训：{training.date:%Y年%-m月%-d日}{training.title}，"
                                   f"{training.get_kind_display()}{training.participants}人", style="List Bullet")

    joint = _joint_donations(units, since, until)
    if joint:
        document.add_heading("三、联合捐赠", level=1)
        for name, recipient, value, names in joint:
            document.add_paragraph(f"{name}：{'、'.join(names)}共同向{recipient}捐赠款物，价值合计{fmt(value, '元')}"
                                   f"（{value:,.0f}元）。")

    document.add_heading("四、帮扶工作规划推进情况", level=1)
    plan = Plan.objects.filter(county=county, start_year__lte=until.year, end_year__gte=since.year).first()
    if plan is None:
        document.add_paragraph("尚未录入帮扶工作规划。")
    else:
        through = min(until, dt.date(plan.end_year, 12, 31))
        progress = plan_progress(plan, units, through=through)
        document.add_paragraph(f"{plan.name}：{plan.start_year}年至{through.year}年目标累计与同期台账实绩对照"
                               f"（完成率单项封顶100%）。")
        shown = [i for i in indicators if any(c.indicator.key == i.key and c.target for r in progress for c in r.cells)]
        rows = []
        for row in progress:
            cells = {c.indicator.key: c for c in row.cells}
            rows.append([row.unit.label, *[f"{fmt(cells[i.key].actual, i.measure)}/{fmt(cells[i.key].target, i.measure)}"
                                           for i in shown], rate_text(row.score)])
        _table(document, ["单位", *[f"{i.label}（完成/目标）" for i in shown], "综合完成率"], rows)

    document.add_heading("五、考核评估发现问题整改情况", level=1)
    findings = (Finding.objects.filter(county=county).exclude(status=Finding.Status.SIGNED_OFF)
                .filter(Q(owner_unit__in=units) | Q(owner_unit__isnull=True))
                .select_related("owner_unit").order_by("deadline"))
    if not findings:
        document.add_paragraph("无未销号问题。")
    else:
        today = dt.date.today()
        _table(document, ["来源", "问题", "责任单位/责任人", "整改时限", "状态"], [
            [f.get_source_display(), f.description, f"{f.owner_unit.label if f.owner_unit_id else '县'}/{f.owner}",
             f"{f.deadline:%Y-%m-%d}", f.get_status_display() + ("（逾期）" if f.is_overdue(today) else "")]
            for f in findings])

    tasks = Task.objects.filter(owner_unit__in=units, status=Task.Status.OPEN).select_related("owner_unit")
    if tasks:
        document.add_heading("六、会议决定事项督办", level=1)
        today = dt.date.today()
        _table(document, ["事项", "责任单位", "责任人", "完成时限", "状态"], [
            [t.decision, t.owner_unit.label, t.owner, f"{t.deadline:%Y-%m-%d}",
             t.get_status_display() + ("（逾期）" if t.is_overdue(today) else "")] for t in tasks.order_by("deadline")])
    document.save(path if hasattr(path, "write") else str(path))  # a file, or the buffer a download sends
    return path


def _joint_donations(units, since, until) -> list[tuple[str, str, Decimal, list[str]]]:
    groups: dict[str, dict] = {}
    for donation in Donation.objects.filter(unit__in=units, date__gte=since, date__lte=until).exclude(
            joint_name="").select_related("unit").order_by("unit__name"):
        group = groups.setdefault(donation.joint_name, {"recipient": donation.recipient, "value": Decimal(0),
                                                        "units": []})
        group["value"] += donation.value
        if donation.unit.label not in group["units"]:
            group["units"].append(donation.unit.label)
    return [(name, g["recipient"], g["value"], g["units"]) for name, g in groups.items()]


def unit_report_write(*, unit: Unit, year: int, path: Path) -> Path:
    """One unit's annual report: its figures against the year's targets, what it did, its open items."""
    start, end = year_span(year)
    end = min(end, max(start, dt.date.today()))
    document = _document(f"{unit.name}{year}年定点帮扶{unit.county.name}工作报告",
                         f"生成日期：{dt.date.today():%Y年%-m月%-d日}（数据来自帮扶台账）")
    document.add_heading("一、总体情况", level=1)
    document.add_paragraph(unit_work_summary(unit, start, end, head=f"{year}年，{unit.name}"))
    document.add_heading("二、指标完成情况", level=1)
    plan = Plan.objects.filter(county_id=unit.county_id, start_year__lte=year, end_year__gte=year).first()
    if plan is not None:
        (row,) = plan_progress(plan, [unit], year=year)
        _table(document, ["指标", "年度目标", "完成", "完成率"], [
            [c.indicator.label, fmt(c.target, c.indicator.measure), fmt(c.actual, c.indicator.measure),
             rate_text(c.rate)] for c in row.cells])
        document.add_paragraph(f"综合完成率：{rate_text(row.score)}；拟评等次：{grade_for(row.score, unit.county_id) or '—'}")
    else:
        figures = unit_figures([unit.pk], start, end)[unit.pk]
        _table(document, ["指标", "完成"], [[i.label, fmt(figures[i.key], i.measure)] for i in STANDARD_INDICATORS])
    from bangfu.assistance.ledger import LEDGER_KINDS, cell

    document.add_heading("三、帮扶台账", level=1)
    for kind in LEDGER_KINDS:
        entries = list(kind.model.objects.filter(unit=unit, date__gte=start, date__lte=end)
                       .select_related("unit", "village", "village__parent").order_by("date"))
        if not entries:
            continue
        document.add_heading(str(kind.label), level=2)
        columns = [c for c in kind.columns if c.key != "unit_label"]
        _table(document, [str(c.heading) for c in columns],
               [[_cell_text(cell(e, c)) for c in columns] for e in entries])
    findings = Finding.objects.filter(owner_unit=unit).exclude(status=Finding.Status.SIGNED_OFF)
    document.add_heading("四、整改事项", level=1)
    if findings:
        for f in findings:
            document.add_paragraph(f"{f.get_source_display()}：{f.description}（{f.get_status_display()}，"
                                   f"时限{f.deadline:%Y-%m-%d}）", style="List Bullet")
    else:
        document.add_paragraph("无未销号问题。")
    document.save(path if hasattr(path, "write") else str(path))  # a file, or the buffer a download sends
    return path


def _cell_text(value) -> str:
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


def _chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n <= 10:
        return "十" if n == 10 else digits[n]
    return ("" if n < 20 else digits[n // 10]) + "十" + (digits[n % 10] if n % 10 else "")
