"""The 简报 generated from a meeting, on synthetic records: each section's figures, every figure as of the period's
end (the boundary day on both sides), summaries capped, the unit report's refusal, and A4 for every .docx."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document

from bangfu.assistance import services as s
from bangfu.assistance.documents import NAMED, briefing_write, minutes_write, unit_report_write
from bangfu.assistance.models import CheckIn, Finding, Fund, Plan, PlanTarget
from bangfu.cases.choices import CaseKind, CaseState
from bangfu.cases.models import Case, Decision
from bangfu.reports.indicators import monitoring_period_figures
from tests.conftest import COUNTY, TUANJIE

pytestmark = pytest.mark.django_db

SINCE, UNTIL = dt.date(2021, 7, 1), dt.date(2022, 8, 18)  # the meeting reviews [SINCE, UNTIL]


def _text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [" | ".join(cell.text for cell in row.cells) for row in table.rows]
    return "\n".join(parts)


def _write(writer, **kwargs) -> Document:
    buffer = io.BytesIO()
    writer(path=buffer, **kwargs)
    buffer.seek(0)
    return Document(buffer)


@pytest.fixture
def meeting(court, cdu, lead_coordinator, court_liaison, cdu_liaison, county_admin):
    meeting = s.meeting_save(actor=lead_coordinator, county_code=COUNTY, units=[court, cdu], data={
        "title": "2022年联席会议", "date": UNTIL, "place": "县委会议室", "chair": "院长", "reports_since": SINCE,
        "attendance": "省法院：院长\n成都大学：党委书记", "county_reporter": "县委书记", "county_report": "总体平稳。",
        "plan_review": "书面审议了规划（征求意见稿）。", "requirements": "守住底线\n抓好整改"})
    # 成都大学 speaks first, 省法院 second.
    s.unit_report_save(actor=cdu_liaison, meeting=meeting, unit=cdu, text="成大汇报", next_steps="成大打算")
    s.unit_report_save(actor=court_liaison, meeting=meeting, unit=court, text="法院汇报", next_steps="法院打算")
    s.report_position_set(actor=lead_coordinator, meeting=meeting, unit=cdu, position=1)
    s.report_position_set(actor=lead_coordinator, meeting=meeting, unit=court, position=2)
    return meeting


def _fund(actor, unit, day, amount):
    return s.ledger_entry_record(actor=actor, kind="fund", unit=unit, data={
        "date": day, "flow": "invested", "amount": Decimal(amount), "source": "预算", "purpose": "产业"})


def test_sections_in_order_units_in_speaking_order_and_author(meeting, court, county_admin):
    document = _write(briefing_write, units=[court, meeting.units.get(is_lead=False)], meeting=meeting)
    headings = [p.text.split("、", 1)[1] for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["会议概况", "县情与帮扶需求", "规划审议", "各帮扶单位工作情况及下一步打算", "选派干部",
                        "五个方向帮扶", "联合捐赠", "走访调研", "防返贫监测帮扶", "会议要求", "会议决定事项"]
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 2"] == ["（一）成都大学",
                                                                                    "（二）四川省高级人民法院"]
    text = _text(document)
    assert "成大打算" in text and "法院汇报" in text and "县委书记通报：总体平稳。" in text
    assert "1. 守住底线" in text and "2. 抓好整改" in text
    assert document.core_properties.author == "四川省高级人民法院"


def test_ledger_figures_stop_at_the_meeting_day(meeting, court, cdu, court_liaison):
    _fund(court_liaison, court, UNTIL, 1000)  # the last day counts
    _fund(court_liaison, court, UNTIL + dt.timedelta(days=1), 50000)  # the day after does not
    _fund(court_liaison, court, SINCE - dt.timedelta(days=1), 70000)  # nor the day before the period
    _fund(court_liaison, court, SINCE, 200)  # the first day counts
    text = _text(_write(briefing_write, units=[court, cdu], meeting=meeting))
    assert "直接投入帮扶资金 | 1200元" in text
    assert "5.12万元" not in text and "7.12万元" not in text


def test_targets_are_pro_rated_for_part_years_and_labelled_full_years(meeting, court, cdu, court_liaison,
                                                                     county_admin):
    plan = Plan.objects.create(county_id=COUNTY, name="规划", start_year=2021, end_year=2025)
    for year in (2021, 2022):
        PlanTarget.objects.create(plan=plan, unit=court, year=year, indicator="funds_invested", target=36500)
    _fund(court_liaison, court, dt.date(2022, 3, 1), 1000)
    # The meeting's period: 184 days of 2021 and 230 of 2022 -> 18,400 + 23,000 = 41,400, pro-rated.
    text = _text(_write(briefing_write, units=[court, cdu], meeting=meeting))
    assert "直接投入帮扶资金 | 1000元 | 4.14万元 | 按期内天数折算" in text
    # A whole year is the full-year target, labelled so.
    text = _text(_write(briefing_write, units=[court, cdu], since=dt.date(2022, 1, 1), until=dt.date(2022, 12, 31)))
    assert "直接投入帮扶资金 | 1000元 | 3.65万元 | 全年目标" in text


def test_summaries_name_only_the_largest_few(meeting, court, cdu, court_liaison):
    for number in range(12):
        s.ledger_entry_record(actor=court_liaison, kind="training", unit=court, data={
            "date": dt.date(2022, 1, 1) + dt.timedelta(days=number), "kind": "grassroots_cadres",
            "title": f"培训{number:02d}", "participants": 10 + number})
        s.ledger_entry_record(actor=court_liaison, kind="project", unit=court, data={
            "date": dt.date(2022, 2, 1), "name": "同名项目" if number % 2 else f"项目{number:02d}",
            "direction": "industry", "budget": Decimal(10000 * (number + 1)), "status": "ongoing",
            "beneficiaries": 5})
    text = _text(_write(briefing_write, units=[court, cdu], meeting=meeting))
    assert "举办培训12期、186人次" in text
    assert "规模较大的有培训11、培训10、培训09。" in text and "培训08" not in text
    assert "实施帮扶项目12个、资金78万元" in text
    assert text.count("同名项目（") == 1  # each name once
    assert text.count("资金较多的有") == 1 and len(text.split("资金较多的有")[1].split("。")[0].split("、")) == NAMED


def test_monitoring_figures_cut_at_the_period_end_in_local_time(meeting, court, cdu, make_household,
                                                                 county_admin):
    def approved(kind, at):
        household = make_household(TUANJIE)
        case = Case.objects.create(kind=kind, household=household, village_id=TUANJIE, state=CaseState.APPROVED,
                                   lead_date=at.date(), due_on=at.date(), opened_by=county_admin)
        Decision.objects.create(case=case, label="审定", to_state=CaseState.APPROVED, actor=county_admin,
                                actor_role="county_admin", at=at)

    local = timezone.get_current_timezone()
    approved(CaseKind.IDENTIFICATION, dt.datetime(2022, 8, 18, 23, 30, tzinfo=local))  # last evening: counts
    approved(CaseKind.IDENTIFICATION, dt.datetime(2022, 8, 19, 0, 30, tzinfo=local))  # next morning: not
    approved(CaseKind.IDENTIFICATION, dt.datetime(2021, 7, 1, 0, 10, tzinfo=local))  # first morning: counts
    approved(CaseKind.IDENTIFICATION, dt.datetime(2021, 6, 30, 23, 50, tzinfo=local))  # before: to date only
    approved(CaseKind.ELIMINATION, dt.datetime(2022, 8, 18, 12, 0, tzinfo=local))
    figures = monitoring_period_figures(COUNTY, SINCE, UNTIL)
    assert figures["newly_identified"] == 2
    assert figures["identified_to_date"] == 3
    assert figures["risks_eliminated"] == 1
    text = _text(_write(briefing_write, units=[court, cdu], meeting=meeting))
    assert "新识别监测对象 | 2户" in text and "风险消除 | 1户" in text


def test_findings_are_as_of_the_period_end(meeting, court, cdu, county_admin):
    def finding(found_on, description):
        return s.finding_create(actor=county_admin, county_code=COUNTY, data={
            "source": "provincial", "found_on": found_on, "description": description, "owner_unit": court,
            "owner": "某人", "deadline": dt.date(2023, 1, 1)})

    finding(UNTIL, "期末当天发现")
    finding(UNTIL + dt.timedelta(days=1), "次日发现")
    closed_later = finding(dt.date(2022, 1, 1), "期后销号")
    Finding.objects.filter(pk=closed_later.pk).update(
        status="signed_off", signed_off_at=timezone.make_aware(dt.datetime(2022, 8, 19, 0, 30)))
    text = _text(_write(briefing_write, units=[court, cdu], meeting=meeting))
    assert "期末当天发现" in text and "次日发现" not in text
    assert "发现问题2个，已销号0个，整改中2个" in text and "期后销号" in text


def test_cadres_days_count_only_their_own_village_within_the_period(meeting, court, cdu, court_liaison, regions):
    cadre = s.cadre_save(actor=court_liaison, unit=court, data={
        "name": "驻村甲", "kind": "first_secretary", "village": regions[TUANJIE], "term_start": SINCE})
    for day in (SINCE, UNTIL, UNTIL + dt.timedelta(days=1)):
        CheckIn.objects.create(cadre=cadre, date=day, village_id=TUANJIE)
    CheckIn.objects.create(cadre=cadre, date=dt.date(2022, 1, 5), village_id="513225103212")  # elsewhere
    s.speech_save(actor=meeting_coordinator(court), meeting=meeting, cadre=cadre, text="驻村一年的体会")
    text = _text(_write(briefing_write, units=[court, cdu], meeting=meeting))
    assert "驻村甲 | 省法院 | 驻村第一书记 | " in text and " | 2天" in text
    assert "驻村甲（省法院，" in text and "发言：驻村一年的体会" in text


def meeting_coordinator(court):
    from bangfu.accounts.models import User

    return User.objects.get(username="fayuan")


def test_unit_report_refuses_a_year_without_data_and_writes_one_with(court, cdu, court_liaison):
    from bangfu.assistance.documents import NoDataError

    with pytest.raises(NoDataError, match="2030年没有任何帮扶记录"):
        unit_report_write(unit=court, year=2030, path=io.BytesIO())
    # The year's last day is data of the year (written directly: the ledger refuses future dates today).
    Fund.objects.create(unit=court, date=dt.date(2030, 12, 31), flow="invested", amount=Decimal(500), source="预算",
                        purpose="产业")
    document = _write(unit_report_write, unit=court, year=2030, today=dt.date(2031, 1, 1))
    assert "直接投入帮扶资金500元" in _text(document)
    with pytest.raises(NoDataError):
        unit_report_write(unit=court, year=2031, path=io.BytesIO(), today=dt.date(2032, 1, 1))


def test_needs_are_assigned_and_followed(meeting, court, cdu, lead_coordinator, cdu_liaison, court_liaison):
    need = s.need_create(actor=lead_coordinator, meeting=meeting, need="学校设备更新")
    with pytest.raises(Exception):  # noqa: B017 - unassigned: only the coordinator may act on it
        s.need_update(actor=cdu_liaison, need=need, status="done")
    s.need_update(actor=lead_coordinator, need=need, status="open", owner_unit=cdu)
    s.need_update(actor=cdu_liaison, need=need, status="done", progress="已交付")
    need.refresh_from_db()
    assert need.owner_unit == cdu and need.status == "done"
    text = _text(_write(briefing_write, units=[court, cdu], meeting=meeting))
    assert "学校设备更新 | 成都大学 | — | — | 已完成：已交付" in text


def _page_mm(document) -> tuple[int, int]:
    section = document.sections[0]
    return round(section.page_width.mm), round(section.page_height.mm)


def test_every_docx_the_product_writes_is_a4_portrait(meeting, court, cdu, court_liaison, client,
                                                      lead_coordinator, make_household, county_admin):
    """Each writer, through its page or command: the briefing (both kinds), the unit report, the minutes, and the
    cases' notice and 明白卡."""
    from bangfu.cases.documents import card_docx, card_for_household, notice_docx, notice_for_village

    _fund(court_liaison, court, dt.date(2022, 3, 1), 1000)
    documents = [
        _write(briefing_write, units=[court, cdu], meeting=meeting),
        _write(briefing_write, units=[court, cdu], since=SINCE, until=UNTIL),
        _write(unit_report_write, unit=court, year=2022),
        _write(minutes_write, meeting=meeting, units=[court, cdu]),
    ]
    client.force_login(lead_coordinator)
    for name in ("assistance:meeting_briefing", "assistance:meeting_minutes"):
        response = client.get(reverse(name, args=[meeting.pk]))
        assert response.status_code == 200
        documents.append(Document(io.BytesIO(b"".join(response.streaming_content))))
    household = make_household(TUANJIE)
    documents.append(Document(io.BytesIO(notice_docx(notice_for_village(household.village)))))
    documents.append(Document(io.BytesIO(card_docx(card_for_household(household)))))
    for document in documents:
        assert _page_mm(document) == (210, 297)
