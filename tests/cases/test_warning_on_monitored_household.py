"""A warning on a household already monitored with its risk open (issue 15) is not a new risk to verify into a
lead: the engine labels it (monitored_open) for every rule, the run counts it apart, it is not in the warnings to
verify nor late, and its one action is to join the household's open case or be acknowledged with a note, audited.
The same rule on a household not monitored, or monitored with its risk eliminated, warns as ever."""

import datetime as dt
import io
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from bangfu import cli
from bangfu.audit.models import ChangeRecord
from bangfu.cases.models import Decision
from bangfu.monitoring.models import Lead, RiskWarning
from bangfu.monitoring.selectors import (
    WarningFilter,
    follow_queue_for,
    warning_counts_by_rule,
    warning_is_overdue,
    warning_queue_for,
    warnings_filtered,
)
from bangfu.monitoring.services import screening_run, warning_follow_up, warning_verify
from bangfu.registry.models import Household
from tests.monitoring.factories import feed_row, head

pytestmark = pytest.mark.django_db

LABEL = "已纳入监测（风险未消除）：新情况随案跟进"


def _monitored(household, status: str):
    Household.objects.filter(pk=household.pk).update(
        monitoring_type="marginal", monitoring_status=status, identified_month="202601",
        eliminated_month="202609" if status == "risk_eliminated" else "")
    household.refresh_from_db()
    return household


def _unsafe(household):
    feed_row(head(household), "housing", "2025-05", code1="D")


@pytest.fixture
def three(make_household):
    """The same rule (unsafe housing) firing on (a) a household not monitored, (b) one monitored with its risk
    open, (c) one monitored with its risk eliminated."""
    plain = make_household(head_name="一般户")
    open_ = _monitored(make_household(head_name="风险未消除户"), "risk_open")
    eliminated = _monitored(make_household(head_name="风险已消除户"), "risk_eliminated")
    for household in (plain, open_, eliminated):
        _unsafe(household)
    return plain, open_, eliminated


def _warning(household) -> RiskWarning:
    return RiskWarning.objects.get(household=household, rule__code="unsafe_housing", state="open")


def test_only_the_household_with_its_risk_open_is_labelled_and_counted_apart(three, county_admin):
    plain, open_, eliminated = three
    run = screening_run(actor=county_admin)
    assert run.counts_by_rule["unsafe_housing"] == 3
    assert run.counts_monitored_open == {"unsafe_housing": 1}
    assert (_warning(plain).monitored_open, _warning(open_).monitored_open,
            _warning(eliminated).monitored_open) == (False, True, False)


def test_the_labelled_warning_is_not_to_verify_nor_late(three, county_admin, tuanjie_cadre):
    plain, open_, eliminated = three
    screening_run(actor=county_admin)
    long_ago = timezone.now() - dt.timedelta(days=30)
    RiskWarning.objects.update(created_at=long_ago, updated_at=long_ago)
    to_verify = set(warnings_filtered(tuanjie_cadre, WarningFilter(kind="verify")).values_list("household_id",
                                                                                               flat=True))
    assert to_verify == {plain.pk, eliminated.pk}
    assert warning_queue_for(tuanjie_cadre).count == 2  # 预警逾期未核实
    follow = follow_queue_for(tuanjie_cadre)
    assert follow.count == 1 and [w.household_id for w in follow.shown] == [open_.pk]
    assert not warning_is_overdue(_warning(open_)) and warning_is_overdue(_warning(eliminated))
    row = next(r for r in warning_counts_by_rule(tuanjie_cadre) if r["rule"].code == "unsafe_housing")
    assert (row["open"], row["overdue"], row["follow"]) == (2, 2, 1)


def test_home_page_counts_it_apart_and_the_list_labels_it(client, three, county_admin, tuanjie_cadre):
    plain, open_, _eliminated = three
    screening_run(actor=county_admin)
    long_ago = timezone.now() - dt.timedelta(days=30)
    RiskWarning.objects.update(created_at=long_ago, updated_at=long_ago)
    client.force_login(tuanjie_cadre)
    home = client.get(reverse("web:home")).content.decode()
    counts = dict(re.findall(r'data-queue="(\w+)".*?class="queue-count">(\d+)<', home, re.S))
    assert (counts["warnings"], counts["follow"]) == ("2", "1")
    listed = client.get(reverse("monitoring:warning_list"), {"kind": "follow"}).content.decode()
    assert LABEL in listed and open_.number in listed and plain.number not in listed
    page = client.get(reverse("monitoring:warning_detail", args=[_warning(open_).pk])).content.decode()
    assert LABEL in page and "随案跟进" in page and 'name="note"' in page and 'name="outcome"' not in page
    page = client.get(reverse("monitoring:warning_detail", args=[_warning(plain).pk])).content.decode()
    assert LABEL not in page and 'name="outcome"' in page


def test_it_is_not_verified_into_a_lead(three, county_admin, tuanjie_cadre):
    _plain, open_, _eliminated = three
    screening_run(actor=county_admin)
    with pytest.raises(ValidationError, match="随案跟进"):
        warning_verify(actor=tuanjie_cadre, warning=_warning(open_), outcome="confirmed",
                       visit_date=dt.date.today(), visit_notes="入户看过")
    assert not Lead.objects.exists()


def test_without_an_open_case_it_is_acknowledged_with_a_note_and_not_raised_again(three, county_admin,
                                                                                  tuanjie_cadre):
    plain, open_, _eliminated = three
    screening_run(actor=county_admin)
    warning = _warning(open_)
    with pytest.raises(ValidationError, match="至少写4个字"):
        warning_follow_up(actor=tuanjie_cadre, warning=warning, note="好")
    with pytest.raises(ValidationError, match="须入户核实"):
        warning_follow_up(actor=tuanjie_cadre, warning=_warning(plain), note="已纳入住房安全保障措施")
    warning_follow_up(actor=tuanjie_cadre, warning=warning, note="已纳入住房安全保障措施，改造计划报乡镇")
    warning.refresh_from_db()
    assert (warning.state, warning.verified_by, warning.visit_notes) == (
        "followed", tuanjie_cadre, "已纳入住房安全保障措施，改造计划报乡镇")
    assert ChangeRecord.objects.filter(object_id=str(warning.pk), action="update").count() == 1
    assert not Lead.objects.exists()
    with pytest.raises(ValidationError, match="已由他人处理"):
        warning_follow_up(actor=tuanjie_cadre, warning=warning, note="再登记一次跟进")
    screening_run(actor=county_admin)
    assert not RiskWarning.objects.filter(household=open_, state="open").exists()


def test_with_an_open_case_it_joins_the_case(make_household, county_admin, tuanjie_cadre, open_case):
    household = make_household(head_name="在办户")
    case = open_case(household)  # a case still open (its state is what counts here, not how it came to be open)
    _monitored(household, "risk_open")
    _unsafe(household)
    screening_run(actor=county_admin)
    warning = _warning(household)
    assert warning.monitored_open
    warning_follow_up(actor=tuanjie_cadre, warning=warning, note="并入在办案件一并核实")
    warning.refresh_from_db()
    lead = Lead.objects.get(warning=warning)
    assert (warning.state, lead.state, lead.case_id, lead.handled_by) == ("followed", "attached", case.pk,
                                                                          tuanjie_cadre)
    decision = Decision.objects.filter(case=case).order_by("-id").first()
    assert decision.label == "并入识别线索" and "危房" in decision.comment and "并入在办案件一并核实" in decision.comment


def test_another_villages_cadre_is_refused(three, county_admin, zhangzha_cadre):
    from django.core.exceptions import PermissionDenied

    screening_run(actor=county_admin)
    with pytest.raises(PermissionDenied):
        warning_follow_up(actor=zhangzha_cadre, warning=_warning(three[1]), note="不是本村的户")


def test_the_label_follows_the_household_when_its_risk_is_eliminated(three, county_admin):
    _plain, open_, _eliminated = three
    screening_run(actor=county_admin)
    assert _warning(open_).monitored_open
    _monitored(open_, "risk_eliminated")
    run = screening_run(actor=county_admin)
    assert not _warning(open_).monitored_open and run.counts_monitored_open == {}


def _bangfu(command, *argv) -> str:
    out = io.StringIO()
    call_command(cli.ALIASES.get(command, command), *argv, stdout=out)
    return out.getvalue()


def test_screen_json_and_export_show_it_apart(three, tmp_path):
    plain, open_, _eliminated = three
    feed_row(head(plain), "payroll", text="县教育局")  # an exclusion's mark is not a warning to verify
    result = json.loads(_bangfu("screen", "--json"))
    assert result["counts_by_rule"]["payroll"] == 1
    assert (result["monitored_open"], result["to_verify"]) == (1, 2)
    assert result["counts_monitored_open"] == {"unsafe_housing": 1}
    target = tmp_path / "warnings.xlsx"
    _bangfu("export", "warnings", "--out", str(target))
    rows = CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python()
    kinds = {row[0]: row[8] for row in rows[1:] if row[4] == "unsafe_housing"}
    assert kinds[open_.number] == LABEL and sorted(kinds.values()).count("待入户核实") == 2
