"""Word documents people hand round, written with python-docx from the records (never retyped):

- the joint meeting's briefing (联席会议简报), generated from a meeting record (its agenda, attendance, the county's
  report and needs, the plan under review, each unit's report and next steps in speaking order, cadres' speeches,
  the year's requirements and decisions) and from the ledger of the period the meeting reviews; or, without a
  meeting, for any period (`--since/--until`);
- a unit's annual report (年度帮扶工作报告), with the same parts for one unit and one year;
- a meeting's minutes (会议纪要).

Every figure is as of the period's end: ledger entries dated inside it, targets of its years (pro-rated when it
covers part of a year, and labelled so), monitoring approvals up to its last day, findings found by then and
their state at that day. Long lists (trainings, projects, visits) are summarised: counts, people, money and the
largest few named.

Readers pass through the same door as pages: `units` is what the reader may see. The command line passes every
unit of the county (its operator already holds the database). Every document is A4 portrait
(`bangfu.web.documents.a4_document`).
"""

import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.db.models import Q

from bangfu.assistance.models import (
    AssistanceNeed,
    Cadre,
    CadreSpeech,
    Donation,
    Finding,
    JointMeeting,
    LeaderVisit,
    Plan,
    PlanTarget,
    Project,
    Task,
    Training,
    Unit,
    UnitReport,
)
from bangfu.assistance.selectors import village_label
from bangfu.reports.assistance_indicators import (
    STANDARD_INDICATORS,
    completion,
    direction_summary,
    period_targets,
    unit_figures,
    year_span,
)
from bangfu.web.documents import a4_document, cell_text

NAMED = 3  # how many of a summarised list are named (the largest)


class NoDataError(ValueError):
    """A report asked for a period in which the unit has nothing recorded."""


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


def day_text(day: dt.date) -> str:
    return f"{day:%Y年%-m月%-d日}"


def _names(items: list[str]) -> list[str]:
    """Each name once, in order."""
    return list(dict.fromkeys(i for i in items if i))


# --- summaries (what a unit did, never the whole list) -----------------------------------------------------------

def trainings_summary(unit_ids, since: dt.date, until: dt.date) -> str:
    trainings = list(Training.objects.filter(unit_id__in=unit_ids, date__gte=since, date__lte=until)
                     .order_by("-participants", "date", "id").values("kind", "title", "participants"))
    if not trainings:
        return "期内未登记培训。"
    people = sum(t["participants"] for t in trainings)
    by_kind = {label: sum(t["participants"] for t in trainings if t["kind"] == kind)
               for kind, label in Training.Kind.choices}
    kinds = "，".join(f"{label}{n}人次" for label, n in by_kind.items() if n)
    largest = _names([t["title"] for t in trainings])[:NAMED]
    return f"举办培训{len(trainings)}期、{people}人次（{kinds}），规模较大的有{'、'.join(largest)}。"


def projects_summary(unit_ids, since: dt.date, until: dt.date) -> str:
    projects = list(Project.objects.filter(unit_id__in=unit_ids, date__gte=since, date__lte=until)
                    .order_by("-budget", "date", "id").values("name", "budget", "beneficiaries", "status"))
    if not projects:
        return "期内未新开工帮扶项目。"
    total = sum((p["budget"] for p in projects), Decimal(0))
    done = sum(1 for p in projects if p["status"] == Project.Status.COMPLETED)
    named, seen = [], set()
    for project in projects:
        if project["name"] not in seen and len(named) < NAMED:
            seen.add(project["name"])
            named.append(f"{project['name']}（{fmt(project['budget'], '元')}）")
    return (f"实施帮扶项目{len(projects)}个、资金{fmt(total, '元')}（截至期末已完工{done}个），"
            f"受益{sum(p['beneficiaries'] for p in projects)}人次，资金较多的有{'、'.join(named)}。")


def visits_summary(unit_ids, since: dt.date, until: dt.date) -> str:
    visits = list(LeaderVisit.objects.filter(unit_id__in=unit_ids, date__gte=since, date__lte=until)
                  .select_related("village", "village__parent").order_by("-people", "date", "id"))
    if not visits:
        return "期内未登记领导调研。"
    places = _names([v.place or village_label(v.village) for v in visits])
    return (f"领导调研督导{len(visits)}次、{sum(v.people for v in visits)}人次，到过{len(places)}个村（点），"
            f"其中{'、'.join(places[:NAMED])}等。")


def donations_summary(unit_ids, since: dt.date, until: dt.date) -> str:
    donations = list(Donation.objects.filter(unit_id__in=unit_ids, date__gte=since, date__lte=until)
                     .order_by("-value", "date", "id").values("recipient", "value", "joint_name"))
    if not donations:
        return "期内未登记捐赠。"
    total = sum((d["value"] for d in donations), Decimal(0))
    joint = sum((d["value"] for d in donations if d["joint_name"]), Decimal(0))
    text = f"捐赠款物{len(donations)}笔、价值{fmt(total, '元')}"
    if joint:
        text += f"（其中参与联合捐赠{fmt(joint, '元')}）"
    return text + f"，受赠方有{'、'.join(_names([d['recipient'] for d in donations])[:NAMED])}等。"


def unit_work_summary(unit: Unit, since: dt.date, until: dt.date, *, head: str = "") -> str:
    """One sentence of what a unit did in the period, its figures in the words of the ledger (the draft of its
    report; the documents add the summaries of trainings, projects, visits and donations next to it)."""
    figures = unit_figures([unit.pk], since, until)[unit.pk]
    parts = [f"{i.label}{fmt(figures[i.key], i.measure)}" for i in STANDARD_INDICATORS if figures[i.key]]
    head = head or f"{day_text(since)}以来，{unit.name}"
    if not parts:
        return head + "尚未在台账中登记帮扶工作。"
    return head + "：" + "，".join(parts) + "。"


# --- document pieces ------------------------------------------------------------------------------------------

def _document(title: str, subtitle: str, *, author: str):
    document = a4_document(author=author, title=title)
    document.add_heading(title, level=0)
    document.add_paragraph(subtitle)
    return document


def _table(document, headings: list[str], rows: list[list[str]]) -> None:
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


def _save(document, path):
    document.save(path if hasattr(path, "write") else str(path))  # a file, or the buffer a download sends
    return path


class _Sections:
    """Numbered level-1 headings: 一、二、三 …"""

    def __init__(self, document):
        self.document, self.number = document, 0

    def __call__(self, title: str) -> None:
        self.number += 1
        self.document.add_heading(f"{chinese_number(self.number)}、{title}", level=1)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def lead_unit_name(county_code: str) -> str:
    return Unit.objects.filter(county_id=county_code, is_lead=True).values_list("name", flat=True).first() or ""


def _figures_table(document, units: list[Unit], since: dt.date, until: dt.date, plan: Plan | None) -> None:
    """Each unit's figures for the period against its targets for the same period (pro-rated or full-year)."""
    unit_ids = [u.pk for u in units]
    figures = unit_figures(unit_ids, since, until)
    targets = period_targets(plan, units, since, until)
    rows = []
    for indicator in STANDARD_INDICATORS:
        actual = sum((figures[u][indicator.key] for u in unit_ids), Decimal(0))
        cells = [targets[(u, indicator.key)] for u in unit_ids if (u, indicator.key) in targets]
        target = sum((c.value for c in cells), Decimal(0)) if cells else None
        label = (cells[0].label if len({c.pro_rated for c in cells}) == 1 else "部分折算") if cells else "—"
        if not actual and target is None:
            continue
        rows.append([str(indicator.label), fmt(actual, indicator.measure), fmt(target, indicator.measure), label,
                     rate_text(completion(actual, target) if target is not None else None)])
    if rows:
        _table(document, ["指标", "期内完成", "期内目标", "目标口径", "完成率"], rows)
    else:
        document.add_paragraph("期内台账无数据，规划无目标。")


def serving_cadres(unit_ids, since: dt.date, until: dt.date):
    """Cadres whose term meets [since, until], with their days in their own village inside it."""
    cadres = list(Cadre.objects.filter(unit_id__in=list(unit_ids), term_start__lte=until)
                  .filter(Q(term_end__isnull=True) | Q(term_end__gte=since))
                  .select_related("unit", "village", "village__parent").order_by("unit_id", "kind", "name"))
    from bangfu.assistance.attendance import in_village_days

    days = in_village_days([c.pk for c in cadres if c.is_resident and c.village_id], since, until)
    return [(cadre, days.get(cadre.pk, 0) if cadre.is_resident and cadre.village_id else None) for cadre in cadres]


def _cadres_section(document, unit_ids, since, until, speeches) -> None:
    cadres = serving_cadres(unit_ids, since, until)
    if cadres:
        _table(document, ["姓名", "派出单位", "类别", "岗位或驻村", "期内在村天数"], [
            [c.name, c.unit.label, c.get_kind_display(), c.post if not c.is_resident else village_label(c.village),
             "—" if days is None else f"{days}天"] for c, days in cadres])
    else:
        document.add_paragraph("期内无在任的选派干部。")
    for speech in speeches:
        cadre = speech.cadre
        where = cadre.post if not cadre.is_resident else f"{village_label(cadre.village)}{cadre.get_kind_display()}"
        document.add_paragraph(f"{cadre.name}（{cadre.unit.label}，{where}）发言：{speech.text}")


def _directions_section(document, unit_ids, since, until) -> None:
    rows = direction_summary(unit_ids, since, until)
    _table(document, ["方向", "项目数", "资金", "受益人次", "主要项目"], [
        [r.label, str(r.projects), fmt(r.budget, "元"), str(r.beneficiaries), "、".join(r.largest) or "—"]
        for r in rows])


def _monitoring_section(document, county_code: str, since, until) -> None:
    from bangfu.reports.indicators import PERIOD_INDICATORS, monitoring_period_figures

    figures = monitoring_period_figures(county_code, since, until)
    rows = [[str(i.label), f"{figures[i.key]}户", str(i.definition)] for i in PERIOD_INDICATORS]
    rows.append(["期末风险未消除", f"{figures['risk_open_at_end']}户", "累计纳入监测减累计风险消除"])
    _table(document, ["指标", "数值", "口径"], rows)


def findings_as_of(county_code: str, unit_ids, until: dt.date, *, county_items: bool = True):
    """Findings found by `until`, with their state at that day: (finding, signed off by then)."""
    _, end = _day_bounds(until, until)
    owners = Q(owner_unit_id__in=list(unit_ids))
    if county_items:
        owners |= Q(owner_unit__isnull=True)
    findings = (Finding.objects.filter(county_id=county_code, found_on__lte=until).filter(owners)
                .select_related("owner_unit").order_by("found_on", "id"))
    return [(f, f.status == Finding.Status.SIGNED_OFF and f.signed_off_at is not None and f.signed_off_at < end)
            for f in findings]


def _day_bounds(since, until):
    from bangfu.reports.indicators import local_day_bounds

    return local_day_bounds(since, until)


def _findings_paragraph(document, county_code, unit_ids, until, *, county_items=True) -> None:
    findings = findings_as_of(county_code, unit_ids, until, county_items=county_items)
    if not findings:
        document.add_paragraph(f"截至{day_text(until)}，无考核评估发现问题。")
        return
    closed = sum(1 for _, done in findings if done)
    document.add_paragraph(f"截至{day_text(until)}，考核评估发现问题{len(findings)}个，已销号{closed}个，"
                           f"整改中{len(findings) - closed}个。")
    open_ones = [f for f, done in findings if not done]
    if open_ones:
        _table(document, ["来源", "问题", "责任单位/责任人", "整改时限"], [
            [f.get_source_display(), f.description, f"{f.owner_unit.label if f.owner_unit_id else '县'}/{f.owner}",
             f"{f.deadline:%Y-%m-%d}"] for f in open_ones])


def _state(item, today: dt.date) -> str:
    text = item.get_status_display()
    if item.status == "open" and item.deadline and item.deadline < today:
        text += "（逾期）"
    return text + (f"：{item.progress}" if item.progress and item.progress != text else "")


# --- the joint meeting's briefing ---------------------------------------------------------------------------------

def speaking_order(meeting: JointMeeting, units) -> list[tuple[Unit, UnitReport | None]]:
    """The meeting's units the reader may see, in the order they spoke (units without a report last)."""
    readable = {u.pk: u for u in units}
    reports = {r.unit_id: r for r in meeting.reports.filter(unit_id__in=readable)}
    attending = [u for u in meeting.units.all() if u.pk in readable]
    return sorted(((u, reports.get(u.pk)) for u in attending),
                  key=lambda pair: (pair[1] is None, pair[1].position if pair[1] else 0,
                                    pair[1].pk if pair[1] else 0, not pair[0].is_lead, pair[0].name))


def briefing_write(*, units, since: dt.date | None = None, until: dt.date | None = None, path: Path,
                   meeting: JointMeeting | None = None, today: dt.date | None = None) -> Path:
    """The joint meeting's briefing for the given units: from a meeting (its period is `reports_since` to its
    date) or for [since, until] alone."""
    units = list(units)
    if not units:
        raise ValueError("no units")
    today = today or dt.date.today()
    county = units[0].county
    if meeting is not None:
        since, until = meeting.reports_since, meeting.date
        ordered = speaking_order(meeting, units)
        title = f"{meeting.title or f'{county.name}定点帮扶联席会议'}简报"
    else:
        ordered = [(u, None) for u in units]
        title = f"{county.name}定点帮扶联席会议简报"
    unit_ids = [u.pk for u, _ in ordered] or [u.pk for u in units]
    author = lead_unit_name(county.code) or county.name
    document = _document(title, f"统计期：{day_text(since)}至{day_text(until)}　　{author}编　　"
                                f"{day_text(today)}生成（数据来自帮扶台账和监测帮扶记录）", author=author)
    section = _Sections(document)
    plan = (meeting.plan if meeting is not None and meeting.plan_id else
            Plan.objects.filter(county=county, start_year__lte=until.year, end_year__gte=since.year).first())

    if meeting is not None:
        section("会议概况")
        names = "、".join(u.name for u, _ in ordered)
        document.add_paragraph(f"{day_text(meeting.date)}，{meeting.title or '定点帮扶联席会议'}在{meeting.place}召开，"
                               f"{meeting.chair}主持。{names}共{len(ordered)}家帮扶单位参加。")
        if meeting.attendance_lines:
            document.add_paragraph("出席：" + "；".join(meeting.attendance_lines) + "。")
        for line in _lines(meeting.agenda):
            document.add_paragraph(line)

        section("县情与帮扶需求")
        if meeting.county_report:
            reporter = f"{meeting.county_reporter}通报：" if meeting.county_reporter else ""
            document.add_paragraph(reporter + meeting.county_report)
        needs = list(meeting.needs.select_related("owner_unit").order_by("id"))
        if needs:
            document.add_paragraph(f"县里提出帮扶需求{len(needs)}项：")
            _table(document, ["帮扶需求", "承接单位", "责任人", "完成时限", f"状态（截至{today:%Y-%m-%d}）"], [
                [n.need, n.owner_unit.label if n.owner_unit_id else "待落实", n.owner or "—",
                 f"{n.deadline:%Y-%m-%d}" if n.deadline else "—", _state(n, today)] for n in needs])
        elif not meeting.county_report:
            document.add_paragraph("会议记录中没有县情汇报和帮扶需求。")

        section("规划审议")
        _plan_review(document, meeting, plan, units)

    section("各帮扶单位工作情况及下一步打算")
    for number, (unit, report) in enumerate(ordered, start=1):
        document.add_heading(f"（{chinese_number(number)}）{unit.name}", level=2)
        document.add_paragraph(report.text if report else unit_work_summary(unit, since, until))
        _figures_table(document, [unit], since, until, plan)
        document.add_paragraph(" ".join((trainings_summary([unit.pk], since, until),
                                         projects_summary([unit.pk], since, until),
                                         visits_summary([unit.pk], since, until),
                                         donations_summary([unit.pk], since, until))))
        if report and report.next_steps:
            document.add_paragraph("下一步打算：" + report.next_steps)

    section("选派干部")
    speeches = (list(meeting.speeches.filter(cadre__unit_id__in=unit_ids).select_related(
        "cadre", "cadre__unit", "cadre__village", "cadre__village__parent")) if meeting is not None else [])
    _cadres_section(document, unit_ids, since, until, speeches)

    section("五个方向帮扶")
    _directions_section(document, unit_ids, since, until)

    section("联合捐赠")
    joint = joint_donations(unit_ids, since, until)
    for name, recipient, value, names, items in joint:
        document.add_paragraph(f"{name}：{'、'.join(names)}共同向{recipient}捐赠{'、'.join(items) or '款物'}，"
                               f"价值合计{fmt(value, '元')}（{value:,.0f}元）。")
    if not joint:
        document.add_paragraph("期内无联合捐赠。")

    section("走访调研")
    _visits_section(document, unit_ids, since, until, meeting)

    section("防返贫监测帮扶")
    _monitoring_section(document, county.code, since, until)
    _findings_paragraph(document, county.code, unit_ids, until)

    if meeting is not None:
        section("会议要求")
        for number, line in enumerate(meeting.requirement_lines, start=1):
            document.add_paragraph(f"{number}. {line}")
        if not meeting.requirement_lines:
            document.add_paragraph("会议记录中没有会议要求。")

        section("会议决定事项")
        tasks = list(meeting.tasks.filter(owner_unit_id__in=unit_ids).select_related("owner_unit")
                     .order_by("deadline", "id"))
        if tasks:
            done = sum(1 for t in tasks if t.status == Task.Status.DONE)
            document.add_paragraph(f"会议决定事项{len(tasks)}项，截至{day_text(today)}已完成{done}项。")
            _table(document, ["事项", "责任单位", "责任人", "完成时限", "状态"], [
                [t.decision, t.owner_unit.label, t.owner, f"{t.deadline:%Y-%m-%d}", _state(t, today)]
                for t in tasks])
        else:
            document.add_paragraph("本次会议没有决定事项。")
    return _save(document, path)


def _plan_review(document, meeting: JointMeeting, plan: Plan | None, units) -> None:
    if plan is None:
        document.add_paragraph(meeting.plan_review or "本次会议未审议规划。")
        return
    document.add_paragraph(meeting.plan_review or f"会议审议了《{plan.name}》。")
    totals: dict[tuple[int, str], Decimal] = {}
    for row in PlanTarget.objects.filter(plan=plan, unit__in=list(units)).values("year", "indicator", "target"):
        key = (row["year"], row["indicator"])
        totals[key] = totals.get(key, Decimal(0)) + row["target"]
    shown = [i for i in STANDARD_INDICATORS if any(key[1] == i.key for key in totals)][:5]
    if shown:
        document.add_paragraph(f"规划期{plan.start_year}—{plan.end_year}年各单位年度目标合计：")
        _table(document, ["年度", *[str(i.label) for i in shown]], [
            [f"{year}年", *[fmt(totals.get((year, i.key)), i.measure) for i in shown]] for year in plan.years])


def _visits_section(document, unit_ids, since, until, meeting) -> None:
    """The visits around the meeting as the story tells them (who went where to see what), then the period's
    visits summarised."""
    if meeting is not None:
        around = list(LeaderVisit.objects.filter(unit_id__in=unit_ids, date__gte=meeting.date - dt.timedelta(days=1),
                                                 date__lte=meeting.date)
                      .select_related("unit", "village", "village__parent").order_by("date", "id"))
        if around:
            places = "、".join(_names([v.place or village_label(v.village) for v in around]))
            document.add_paragraph(f"会议期间，与会领导分赴{places}调研：" + "；".join(
                f"{v.leaders}到{v.place or village_label(v.village)}，{_seen(v.seen)}" for v in around) + "。")
    document.add_paragraph("统计期内，" + visits_summary(unit_ids, since, until))


def _seen(seen: str) -> str:
    seen = seen or "帮扶工作"
    return seen if seen.startswith(("察看", "调研", "走访", "看望")) else f"察看{seen}"


def joint_donations(unit_ids, since, until) -> list[tuple[str, str, Decimal, list[str], list[str]]]:
    """Donations several units made together (same joint name), one line each: name, recipient, value, units, items."""
    groups: dict[str, dict] = {}
    for donation in Donation.objects.filter(unit_id__in=list(unit_ids), date__gte=since, date__lte=until).exclude(
            joint_name="").select_related("unit").order_by("unit__name", "id"):
        group = groups.setdefault(donation.joint_name, {"recipient": donation.recipient, "value": Decimal(0),
                                                        "units": [], "items": []})
        group["value"] += donation.value
        group["units"] = _names([*group["units"], donation.unit.label])
        group["items"] = _names([*group["items"], donation.items])
    return [(name, g["recipient"], g["value"], g["units"], g["items"]) for name, g in groups.items()]


# --- a unit's annual report -------------------------------------------------------------------------------------

def unit_year_has_data(unit: Unit, year: int) -> bool:
    """Whether anything about the unit is recorded for the year: ledger entries, cadres serving, the plan's
    targets or a report to a meeting."""
    from bangfu.assistance.ledger import LEDGER_KINDS

    start, end = year_span(year)
    if any(kind.model.objects.filter(unit=unit, date__gte=start, date__lte=end).exists() for kind in LEDGER_KINDS):
        return True
    if Cadre.objects.filter(unit=unit, term_start__lte=end).filter(
            Q(term_end__isnull=True) | Q(term_end__gte=start)).exists():
        return True
    return (PlanTarget.objects.filter(unit=unit, year=year).exists()
            or UnitReport.objects.filter(unit=unit, meeting__date__year=year).exists())


def unit_report_write(*, unit: Unit, year: int, path: Path, today: dt.date | None = None) -> Path:
    """One unit's annual report: its figures against the year's targets, its reports and next steps, its cadres,
    the five directions, its summarised work, what it took on, and its rectification items at the year's end."""
    today = today or dt.date.today()
    if not unit_year_has_data(unit, year):
        raise NoDataError(f"{unit.name}在{year}年没有任何帮扶记录（台账、选派干部、规划目标、会议汇报均无），不生成年度报告")
    start, end = year_span(year)
    end = min(end, max(start, today))
    ids = [unit.pk]
    document = _document(f"{unit.name}{year}年定点帮扶{unit.county.name}工作报告",
                         f"统计期：{day_text(start)}至{day_text(end)}　　{unit.name}　　{day_text(today)}生成"
                         f"（数据来自帮扶台账）", author=unit.name)
    section = _Sections(document)
    section("总体情况")
    document.add_paragraph(unit_work_summary(unit, start, end, head=f"{year}年，{unit.name}"))
    section("指标完成情况")
    plan = Plan.objects.filter(county_id=unit.county_id, start_year__lte=year, end_year__gte=year).first()
    _figures_table(document, [unit], start, end, plan)
    section("工作汇报和下一步打算")
    reports = list(UnitReport.objects.filter(unit=unit, meeting__date__year=year).select_related("meeting")
                   .order_by("meeting__date"))
    for report in reports:
        document.add_paragraph(f"向{day_text(report.meeting.date)}联席会议汇报：{report.text}")
        if report.next_steps:
            document.add_paragraph("下一步打算：" + report.next_steps)
    if not reports:
        document.add_paragraph(f"{year}年未向联席会议提交汇报。")
    section("选派干部")
    speeches = CadreSpeech.objects.filter(cadre__unit=unit, meeting__date__year=year).select_related(
        "cadre", "cadre__unit", "cadre__village", "cadre__village__parent")
    _cadres_section(document, ids, start, end, speeches)
    section("五个方向帮扶")
    _directions_section(document, ids, start, end)
    section("培训、项目、调研和捐赠")
    for text in (trainings_summary(ids, start, end), projects_summary(ids, start, end),
                 visits_summary(ids, start, end), donations_summary(ids, start, end)):
        document.add_paragraph(text)
    section("承接的会议决定和帮扶需求")
    items = [("会议决定", t) for t in Task.objects.filter(owner_unit=unit, meeting__date__lte=end).order_by("deadline")]
    items += [("帮扶需求", n) for n in AssistanceNeed.objects.filter(owner_unit=unit, meeting__date__lte=end)
              .order_by("id")]
    if items:
        _table(document, ["类别", "事项", "完成时限", f"状态（截至{today:%Y-%m-%d}）"], [
            [kind, getattr(item, "decision", None) or item.need,
             f"{item.deadline:%Y-%m-%d}" if item.deadline else "—", _state(item, today)] for kind, item in items])
    else:
        document.add_paragraph("无承接事项。")
    section("考核评估发现问题整改")
    _findings_paragraph(document, unit.county_id, ids, end, county_items=False)
    return _save(document, path)


# --- a meeting's minutes ------------------------------------------------------------------------------------------

def minutes_write(*, meeting: JointMeeting, units, path: Path) -> Path:
    """The meeting's minutes (会议纪要): when, where, who; the agenda; what was agreed; requirements; decisions."""
    units = list(units)
    author = lead_unit_name(meeting.county_id) or meeting.county.name
    title = f"{meeting.title or '定点帮扶联席会议'}纪要"
    document = _document(title, f"{day_text(meeting.date)}　{meeting.place}　主持：{meeting.chair}", author=author)
    section = _Sections(document)
    section("出席")
    ordered = speaking_order(meeting, units)
    document.add_paragraph("参会单位：" + "、".join(u.name for u, _ in ordered) + "。")
    for line in meeting.attendance_lines:
        document.add_paragraph(line)
    section("议程")
    for line in _lines(meeting.agenda):
        document.add_paragraph(line)
    section("会议纪要")
    for line in _lines(meeting.minutes) or ["（未填写）"]:
        document.add_paragraph(line)
    section("会议要求")
    for number, line in enumerate(meeting.requirement_lines, start=1):
        document.add_paragraph(f"{number}. {line}")
    section("决定事项和帮扶需求")
    unit_ids = [u.pk for u in units]
    rows = [[t.decision, t.owner_unit.label, t.owner, f"{t.deadline:%Y-%m-%d}"]
            for t in meeting.tasks.filter(owner_unit_id__in=unit_ids).select_related("owner_unit").order_by("id")]
    rows += [[n.need, n.owner_unit.label if n.owner_unit_id else "待落实", n.owner or "—",
              f"{n.deadline:%Y-%m-%d}" if n.deadline else "—"]
             for n in meeting.needs.select_related("owner_unit").order_by("id")]
    if rows:
        _table(document, ["事项", "责任单位", "责任人", "完成时限"], rows)
    else:
        document.add_paragraph("无。")
    return _save(document, path)


def chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n <= 10:
        return "十" if n == 10 else digits[n]
    return ("" if n < 20 else digits[n // 10]) + "十" + (digits[n % 10] if n % 10 else "")
