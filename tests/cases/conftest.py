"""Cases: a household in 团结村 walked through the identification chain by the three roles."""

import datetime as dt
from decimal import Decimal

import pytest

from bangfu.cases import clock
from bangfu.cases.models import Transition
from bangfu.cases.services import case_advance, case_open, transitions_ensure_defaults

START = dt.date(2026, 3, 2)  # a Monday


@pytest.fixture
def today(monkeypatch):
    """The workflow's clock, movable: today.set(day) / today.forward(days)."""

    class Clock:
        day = START

        def set(self, day):
            self.day = day

        def forward(self, days):
            self.day += dt.timedelta(days=days)

    fake = Clock()
    monkeypatch.setattr(clock, "today", lambda: fake.day)
    return fake


@pytest.fixture
def lines(regions):
    from bangfu.monitoring.models import MonitoringLine

    for year, amount in {2024: 7500, 2025: 7800, 2026: 8100, 2027: 8400}.items():
        MonitoringLine.objects.create(region=regions["513225000000"],
                                      year=year, amount=Decimal(amount))


@pytest.fixture
def defaults(db):
    transitions_ensure_defaults()


def step(case, to_state, *, role=None):
    """The table row leading from the case's state to `to_state` (for `role`, or the first one)."""
    rows = Transition.objects.filter(kind=case.kind, from_state=case.state, to_state=to_state)
    if role:
        rows = rows.filter(role=role)
    return rows.first()


@pytest.fixture
def walk(today, tuanjie_cadre, shuanghe_reviewer, county_admin):
    """Advance a case to a state along the normal path, by the right people, on the right days."""

    def advance(case, actor, to_state, **data):
        comment = data.pop("comment", "")
        return case_advance(actor=actor, case=case, transition=step(case, to_state, role=actor.role),
                            version=case.version, comment=comment, data=data)

    def _walk(case, until, *, cadre=tuanjie_cadre, reviewer=shuanghe_reviewer):
        tuanjie_cadre_, shuanghe_reviewer_ = cadre, reviewer
        order = ["comparison", "village_review", "notice", "township_review", "county_approval", "approved"]
        start = order.index(case.state) + 1 if case.state in order else 0
        for state in order[start:order.index(until) + 1]:
            if state == "comparison":
                case = advance(case, tuanjie_cadre_, state, commitment_signed_on=today.day,
                               verification_notes="入户看过，情况属实")
            elif state == "village_review":
                case = advance(case, tuanjie_cadre_, state, comparison_result="医保数据一致，无财政供养人员")
            elif state == "notice":
                case = advance(case, tuanjie_cadre_, state, review_date=today.day, review_participants="村两委、群众代表",
                               review_outcome="同意纳入", notice_started_on=today.day)
            elif state == "township_review":
                today.forward(5)
                case = advance(case, tuanjie_cadre_, state)
            elif state == "county_approval":
                case = advance(case, shuanghe_reviewer_, state)
            elif state == "approved":
                data = ({"monitoring_type": "marginal", "risk_types": ["illness"],
                         "identified_month": today.day.strftime("%Y%m")} if case.kind == "identification" else {})
                case = advance(case, county_admin, state, **data)
        return case

    _walk.advance = advance
    return _walk


@pytest.fixture
def open_case(defaults, today, tuanjie_cadre):
    def _open(household, *, actor=tuanjie_cadre, **kwargs):
        kwargs.setdefault("summary", "户主住院，自付医疗费用高")
        return case_open(actor=actor, household=household, **kwargs)

    return _open


@pytest.fixture(autouse=True)
def job_files(settings, tmp_path):
    """Job result files (the data-quality CSV) go to this test's own directory, not the worker's shared one."""
    settings.VAR_DIR = tmp_path
    return tmp_path
