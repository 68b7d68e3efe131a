"""The demo holds cases in every step, some overdue, with measures, contacts and visits (issue 11)."""

import datetime as dt

import pytest

from bangfu.cases import clock
from bangfu.cases.choices import OPEN_STATES
from bangfu.cases.models import AssistanceContact, Case, Decision, Measure, Visit
from bangfu.demo.builder import demo_build
from bangfu.registry.models import Household

pytestmark = pytest.mark.django_db


def test_demo_has_cases_in_every_state_with_assistance(db):
    demo_build(people=3000, seed=7)
    states = set(Case.objects.values_list("state", flat=True))
    assert set(OPEN_STATES) | {"approved", "rejected"} <= states
    assert Case.objects.filter(state__in=OPEN_STATES, step_due_on__lt=clock.today()).exists()  # overdue
    assert Case.objects.filter(state__in=OPEN_STATES, step_due_on__gte=clock.today()).exists()
    assert Case.objects.filter(household__village_id="513225103213", state="notice").exists()  # 团结村's notice
    monitored = Household.objects.exclude(monitoring_type="")
    assert monitored.count() == Case.objects.filter(kind="identification", state="approved").count()
    assert Case.objects.filter(kind="elimination", state="approved").count() == \
        monitored.filter(monitoring_status="risk_eliminated").count()
    assert AssistanceContact.objects.count() == monitored.count()
    assert Measure.objects.values("household").distinct().count() == monitored.count()
    assert Visit.objects.exists()
    # Every case has its decisions, the last one leading to where the case stands.
    for case in Case.objects.all()[:50]:
        last = Decision.objects.filter(case=case).order_by("at", "id").last()
        assert last is not None and last.to_state == case.state, case


def test_demo_cases_are_due_no_earlier_than_they_can_act_and_decided_in_the_past(db):
    """A case at 村内公示 is not due before its notice may end (the village cannot act before), and no decision
    is stamped after the build (a demo built at 8 in the morning had today's steps at 10)."""
    from django.utils import timezone

    from bangfu.cases.services import workflow_settings
    from bangfu.cases.workflow import notice_runs_from

    demo_build(people=1500, seed=7)
    days = workflow_settings().notice_min_days
    notices = list(Case.objects.filter(state="notice"))
    assert notices
    for case in notices:
        ends = notice_runs_from(case.notice_started_on, case.notice_recorded_on) + dt.timedelta(days=days)
        assert case.step_due_on >= ends, (case.pk, case.step_due_on, ends)
    assert not Decision.objects.filter(at__gt=timezone.now()).exists()
    assert Decision.objects.filter(at__gte=timezone.now() - dt.timedelta(days=1)).exists()  # today's steps kept
