"""One definition of "due" (cases.due) drives the home queue's counts, the case list's filter and its row marks.

A case is due on the nearer of its step's deadline and, for an identification, its own 15-day deadline; it is
late from the day after. Each case below is late (or not) by one of those dates only, and the boundary is tried
on both sides: on its due day a case is "due today", the next day it is overdue.
"""

import datetime as dt
import re

import pytest
from django.urls import reverse

from bangfu.cases.due import case_due_on, due_group
from bangfu.cases.models import Case
from bangfu.cases.selectors import cases_filtered, work_queue_for

pytestmark = pytest.mark.django_db


def _set(case, **dates):
    Case.objects.filter(pk=case.pk).update(**dates)
    case.refresh_from_db()
    return case


@pytest.fixture
def cases(make_household, open_case, today):
    """Four open identifications in 团结村 and one elimination, each due by one date only."""
    day = today.day
    d = dt.timedelta
    made = {name: open_case(make_household(head_name=name)) for name in
            ("步骤逾期户", "办结逾期户", "今天到期户", "明天到期户", "消除案件户")}
    _set(made["步骤逾期户"], step_due_on=day - d(days=1), due_on=day + d(days=5))  # late by the step only
    _set(made["办结逾期户"], step_due_on=day + d(days=2), due_on=day - d(days=1))  # late by the 15 days only
    _set(made["今天到期户"], step_due_on=day, due_on=day + d(days=10))  # due today: not late
    _set(made["明天到期户"], step_due_on=day + d(days=3), due_on=day + d(days=1))  # the control: due this week
    # An elimination has no overall deadline: a past due_on alone does not make it late.
    _set(made["消除案件户"], kind="elimination", step_due_on=day + d(days=1), due_on=day - d(days=30))
    return made


def _home_count(html: str, group: str) -> int:
    found = re.search(rf'data-queue="{group}".*?class="queue-count">(\d+)<', html, re.S)
    return int(found.group(1)) if found else 0


def _list(client, **query):
    html = client.get(reverse("cases:case_list"), query).content.decode()
    total = re.search(r"共 (\d+) 条", html)
    table = html[html.index("<table class=\"table stack cases\">"):]
    return (int(total.group(1)) if total else 0, table.count('class="badge overdue"'), table.count('class="is-overdue"'))


@pytest.mark.parametrize("who", ["county_admin", "tuanjie_cadre"])
def test_home_count_equals_list_count_equals_marked_rows(client, cases, today, who, request):
    user = request.getfixturevalue(who)
    client.force_login(user)
    home = client.get(reverse("web:home")).content.decode()
    mine = {} if who == "county_admin" else {"mine": "on"}
    # The heading links to the list it counts.
    assert f'href="{reverse("cases:case_list")}?state=overdue{"&amp;mine=on" if mine else ""}"' in home
    assert _home_count(home, "overdue") == 2
    assert _list(client, state="overdue", **mine) == (2, 2, 2)
    assert _home_count(home, "today") == 1 and _list(client, state="due_today", **mine)[0] == 1
    assert _home_count(home, "week") == 2 and _list(client, state="due_week", **mine)[0] == 2
    # The open list marks the same two rows, and no other.
    assert _list(client)[1:] == (2, 2)

    today.forward(1)  # the day after: the case due yesterday is late now, and the one due "tomorrow" is due today
    home = client.get(reverse("web:home")).content.decode()
    assert _home_count(home, "overdue") == 3
    assert _list(client, state="overdue", **mine) == (3, 3, 3)
    # the two due "tomorrow" (the identification and the elimination) are due today now
    assert _home_count(home, "today") == 2 and _list(client, state="due_today", **mine)[0] == 2


def test_each_case_is_late_by_its_own_date_only(cases, county_admin, today):
    overdue = {c.household.head_name for c in cases_filtered(county_admin, state="overdue")}
    assert overdue == {"步骤逾期户", "办结逾期户"}
    assert {c.household.head_name for c in cases_filtered(county_admin, state="due_today")} == {"今天到期户"}
    assert {c.household.head_name for c in cases_filtered(county_admin, state="due_week")} == {"明天到期户", "消除案件户"}


def test_sql_and_python_agree_on_every_way_a_case_is_dated(make_household, open_case, county_admin, today):
    """cases.due.case_due_on and its SQL (the `due` annotation) for both kinds, with the step's deadline absent,
    earlier, equal and later than the case's own."""
    day, d = today.day, dt.timedelta
    shapes = []
    for kind in ("identification", "elimination"):
        for step in (None, day - d(days=2), day, day + d(days=4)):
            case = _set(open_case(make_household()), kind=kind, step_due_on=step, due_on=day)
            shapes.append(case)
    annotated = {c.pk: c.due for c in cases_filtered(county_admin, state="all")}
    for case in shapes:
        python = case_due_on(kind=case.kind, step_due_on=case.step_due_on, due_on=case.due_on)
        assert annotated[case.pk] == python, (case.kind, case.step_due_on)
    # and the groups agree with the filters: every shape lands in exactly one list
    for case in shapes:
        group = due_group(annotated[case.pk], day)
        state = {"overdue": "overdue", "today": "due_today", "week": "due_week"}.get(group)
        if state:
            assert cases_filtered(county_admin, state=state).filter(pk=case.pk).exists()


def test_the_queue_heading_says_when_it_is_cut(client, make_household, open_case, county_admin, today):
    for n in range(12):
        _set(open_case(make_household()), step_due_on=today.day - dt.timedelta(days=1 + n))
    client.force_login(county_admin)
    home = client.get(reverse("web:home")).content.decode()
    assert _home_count(home, "overdue") == 12 and "显示前 10 条" in home and "查看全部 12 件" in home
    assert _list(client, state="overdue") == (12, 12, 12)
    queue = work_queue_for(county_admin, limit=12)
    assert queue.overdue.count == 12 and not queue.overdue.cut


def test_a_step_on_its_due_day_needs_no_reason_and_the_day_after_does(cases, tuanjie_cadre, today, walk):
    """The late-step rule (a reason in the comment) reads the same definition."""
    from django.core.exceptions import ValidationError

    on_time = walk.advance(cases["今天到期户"], tuanjie_cadre, "comparison", commitment_signed_on=today.day,
                           verification_notes="入户看过")
    assert on_time.state == "comparison"
    with pytest.raises(ValidationError, match="已超过办理期限"):
        walk.advance(cases["办结逾期户"], tuanjie_cadre, "comparison", commitment_signed_on=today.day,
                     verification_notes="入户看过")
