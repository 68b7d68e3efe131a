"""The printed papers: the village public notice (公示) and the household's 明白卡.

Both are built from one dictionary each (used by the HTML print page and the .docx), and both leave out what a
notice must not show (DOMAIN.md §5.4): no ID number, no phone, no bank account, no health condition. The notice
does not even show risk types (因病 would tell the village about an illness); the card, which goes to the household
itself, shows its risk types but no member's health status.
"""

import datetime as dt
import io
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from bangfu.cases import clock
from bangfu.cases.choices import CaseKind, CaseState, MeasureStatus
from bangfu.cases.conditions import household_risk_types
from bangfu.cases.models import AssistanceContact, Case
from bangfu.cases.workflow import notice_runs_from
from bangfu.monitoring.selectors import monitoring_line_for
from bangfu.registry import income
from bangfu.registry.models import Member
from bangfu.web.documents import a4_document, cell_text


@dataclass
class NoticeRow:
    number: int
    head_name: str
    group: str
    members: int
    kind: str
    proposal: str
    review_outcome: str
    period: str


@dataclass
class Notice:
    title: str
    village_name: str
    township_name: str
    rows: list[NoticeRow] = field(default_factory=list)
    days: int = 5
    issued_on: str = ""


def notice_for_village(village, *, cases=None) -> Notice:
    """The village's current public notice: every case in its notice step."""
    from bangfu.cases.services import workflow_settings

    days = workflow_settings(village.code).notice_min_days
    if cases is None:
        cases = Case.objects.all()
    # The member count in the same query as the rows (a subquery), not one COUNT per row.
    members = (Member.objects.filter(household_id=OuterRef("household_id")).order_by()
               .values("household_id").annotate(n=Count("pk")).values("n"))
    cases = (cases.filter(household__village_id=village.code, state=CaseState.NOTICE)
             .select_related("household").annotate(member_count=Coalesce(Subquery(members), 0))
             .order_by("kind", "household__group", "household__number"))
    notice = Notice(title=_("%(village)s防止返贫监测对象识别和风险消除公示") % {"village": village.name},
                    village_name=village.name, township_name=village.parent.name if village.parent_id else "",
                    days=days, issued_on=clock.today().isoformat())
    for i, case in enumerate(cases, start=1):
        start = notice_runs_from(case.notice_started_on, case.notice_recorded_on)
        end = start + dt.timedelta(days=days) if start else None
        notice.rows.append(NoticeRow(
            number=i, head_name=case.household.head_name, group=case.household.group,
            members=case.member_count,
            kind=str(case.get_kind_display()),
            proposal=str(_("拟纳入监测对象") if case.kind == CaseKind.IDENTIFICATION else _("拟标注风险消除")),
            review_outcome=case.review_outcome,
            period=f"{start:%Y-%m-%d} — {end:%Y-%m-%d}" if start else ""))
    return notice


@dataclass
class Card:
    village: str
    household_number: str
    head_name: str
    group: str
    members: int
    household_type: str
    monitoring_type: str
    monitoring_status: str
    identified_month: str
    income_year: int | None
    per_capita_income: str  # 人均纯收入 (registry.income.per_capita_net_income)
    for_line_income: str  # 扣除合规自付支出后人均收入, the figure judged against the line
    below_line: bool
    line: str
    risks: list[str]
    measures: list[dict]
    contact_name: str
    contact_post: str
    issued_on: str


def card_for_household(household) -> Card:
    """The household's 明白卡: income against the line, risks, measures and the assistance contact."""
    from bangfu.cases.choices import RiskType

    record = household.income_records.order_by("-year").first()
    line = monitoring_line_for(village_code=household.village_id, year=record.year) if record else None
    contact = AssistanceContact.objects.filter(household=household).first()
    labels = dict(RiskType.choices)
    measures = [{"category": m.category.name, "description": m.description, "responsible": m.responsible,
                 "period": f"{m.start_on:%Y-%m-%d} — {m.end_on:%Y-%m-%d}" if m.end_on else f"{m.start_on:%Y-%m-%d} —",
                 "amount": f"{m.amount:,.2f}" if m.amount is not None else "", "status": m.get_status_display()}
                for m in household.measures.select_related("category").exclude(status=MeasureStatus.STOPPED)
                .order_by("start_on", "id")]
    return Card(
        village=f"{household.village.parent.name}{household.village.name}" if household.village.parent_id
        else household.village.name,
        household_number=household.number, head_name=household.head_name, group=household.group,
        members=household.members.count(), household_type=household.get_household_type_display(),
        monitoring_type=household.get_monitoring_type_display(),
        monitoring_status=household.get_monitoring_status_display(), identified_month=household.identified_month,
        income_year=record.year if record else None,
        per_capita_income=f"{income.per_capita_net_income(record):,.2f}" if record else "",
        for_line_income=f"{income.per_capita_for_line(record):,.2f}" if record else "",
        below_line=bool(record) and income.below_line(record, line),
        line=f"{line:,.2f}" if line is not None else "",
        risks=[str(labels.get(r, r)) for r in household_risk_types(household)], measures=measures,
        contact_name=contact.name if contact else "", contact_post=contact.post if contact else "",
        issued_on=clock.today().isoformat())


# --- releases ----------------------------------------------------------------------------------------------------

def document_release_record(*, actor, card: Card | None = None, household=None, notice: Notice | None = None,
                            village=None) -> None:
    """A .docx that leaves the system carrying names with income, risks or case steps is a logged release
    (敏感信息查看与导出): the 明白卡 of one household, or a village's notice with its rows."""
    from bangfu.audit.services import reveal_record

    if card is not None:
        reveal_record(actor=actor, field="document", instance=household, household_id=household.pk,
                      region_code=household.village_id, what=str(_("防止返贫监测帮扶明白卡")), rows=1)
    else:
        reveal_record(actor=actor, field="document", instance=village, household_id=None, region_code=village.code,
                      what=notice.title[:100], rows=len(notice.rows))


# --- .docx -------------------------------------------------------------------------------------------------------

def _document(title: str, author: str):
    return a4_document(title=title, author=author)  # A4 portrait, the product's one page setup


def _table(document, header: list[str], rows: list[list[str]]):
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell_text(cell, text)
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell_text(cell, text)
    return table


def _bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def notice_docx(notice: Notice) -> bytes:
    document = _document(notice.title, f"{notice.township_name}{notice.village_name}")
    document.add_heading(notice.title, level=1)
    document.add_paragraph(_("经入户核实、信息比对和村民主评议，下列农户拟按程序办理，现予公示。公示期%(days)s天。") % {
        "days": notice.days})
    header = [_("序号"), _("户主姓名"), _("组"), _("家庭人口"), _("事项"), _("拟办结果"), _("民主评议结果"), _("公示期")]
    _table(document, [str(h) for h in header],
           [[r.number, r.head_name, r.group, r.members, r.kind, r.proposal, r.review_outcome, r.period]
            for r in notice.rows])
    if not notice.rows:
        document.add_paragraph(_("本村目前没有处于公示环节的农户。"))
    document.add_paragraph(_("公示期间如有异议，请向村民委员会或%(township)s人民政府反映。") % {
        "township": notice.township_name})
    document.add_paragraph(f"{notice.township_name}{notice.village_name}    {notice.issued_on}")
    return _bytes(document)


def card_docx(card: Card) -> bytes:
    document = _document(str(_("防止返贫监测帮扶明白卡")), card.village)
    document.add_heading(_("防止返贫监测帮扶明白卡"), level=1)
    facts = [
        (_("村（社区）"), card.village), (_("户编号"), card.household_number), (_("户主"), card.head_name),
        (_("组"), card.group), (_("家庭人口"), str(card.members)), (_("户类型"), card.household_type),
        (_("监测对象类别"), card.monitoring_type), (_("风险消除状态"), card.monitoring_status),
        (_("识别监测时间"), card.identified_month),
        (income.PER_CAPITA_LABEL, _("%(year)s年 %(income)s元") % {"year": card.income_year,
                                                                  "income": card.per_capita_income}
         if card.income_year else "—"),
        (income.FOR_LINE_LABEL, _("%(income)s元（%(year)s年监测线 %(line)s元）") % {
            "year": card.income_year, "income": card.for_line_income, "line": card.line or "—"}
         + (" " + _("低于监测线") if card.below_line else "") if card.income_year else "—"),
        (_("风险类型"), "、".join(card.risks) or "—"),
        (_("帮扶联系人"), f"{card.contact_name} {card.contact_post}".strip() or "—"),
    ]
    _table(document, [str(_("项目")), str(_("内容"))], [[str(k), v] for k, v in facts])
    document.add_heading(_("帮扶措施"), level=2)
    _table(document, [str(h) for h in (_("类别"), _("内容"), _("责任单位或责任人"), _("起止"), _("金额（元）"),
                                       _("状态"))],
           [[m["category"], m["description"], m["responsible"], m["period"], m["amount"], str(m["status"])]
            for m in card.measures])
    document.add_paragraph(_("打印日期：%(day)s") % {"day": card.issued_on})
    return _bytes(document)
