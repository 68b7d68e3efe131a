"""The household page says where the household stands in the workflow: its open case (with the step and its
deadline) and its open warnings, each linked; nothing closed, nothing of another household's."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bangfu.cases.models import Case
from bangfu.monitoring.models import RiskWarning, Rule

pytestmark = pytest.mark.django_db


def _warning(household, state="open"):
    return RiskWarning.objects.create(household=household, village_id=household.village_id, state=state,
                                      rule=Rule.objects.get(code="medical_stay_oop", region=None),
                                      evidence="住院自付超过预警线", created_at=timezone.now(), updated_at=timezone.now())


def test_open_case_and_open_warnings_are_shown_and_linked(client, make_household, tuanjie_cadre):
    household, other = make_household(head_name="有案户"), make_household(head_name="旁户")
    case = Case.objects.create(kind="identification", household=household, village_id=household.village_id,
                               state="notice", lead_date=dt.date.today(), due_on=dt.date(2026, 12, 22),
                               step_due_on=dt.date(2026, 12, 20),
                               opened_by=tuanjie_cadre)
    Case.objects.create(kind="identification", household=household, village_id=household.village_id,
                        state="rejected", lead_date=dt.date.today(), due_on=dt.date(2026, 12, 22),
                        opened_by=tuanjie_cadre)
    shown, closed = _warning(household), _warning(household, state="dismissed")
    elsewhere = _warning(other)
    client.force_login(tuanjie_cadre)
    html = client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    section = html[html.index('id="workflow"'):]
    section = section[:section.index("</section>")]
    assert reverse("cases:case_detail", args=[case.pk]) in section and "村内公示" in section
    assert "本环节期限 2026-12-20" in section
    assert reverse("cases:household_assistance", args=[household.pk]) in section
    assert reverse("monitoring:warning_detail", args=[shown.pk]) in section
    assert reverse("monitoring:warning_detail", args=[closed.pk]) not in section  # dismissed: not open
    assert reverse("monitoring:warning_detail", args=[elsewhere.pk]) not in section
    # Control: the other household has no case, and says so; its own warning is there.
    html = client.get(reverse("registry:household_detail", args=[other.pk])).content.decode()
    assert "没有未办结的案件" in html and reverse("monitoring:warning_detail", args=[elsewhere.pk]) in html



def test_a_warning_to_verify_names_the_households_open_case(client, make_household, tuanjie_cadre):
    """Before verifying, the cadre sees that the household already has a case in progress (the lead a confirmed
    warning makes is attached to it, not identified again); the control household has none and no such note."""
    with_case, without = make_household(head_name="在办户"), make_household(head_name="无案户")
    case = Case.objects.create(kind="identification", household=with_case, village_id=with_case.village_id,
                               state="verification", lead_date=dt.date.today(), due_on=dt.date(2026, 12, 22),
                               opened_by=tuanjie_cadre)
    client.force_login(tuanjie_cadre)
    html = client.get(reverse("monitoring:warning_detail", args=[_warning(with_case).pk])).content.decode()
    note = html[html.index('id="open-case"'):]
    assert "入户核实" in note[:200] and reverse("cases:case_detail", args=[case.pk]) in note[:400]
    html = client.get(reverse("monitoring:warning_detail", args=[_warning(without).pk])).content.decode()
    assert 'id="open-case"' not in html and "提交核实结果" in html
