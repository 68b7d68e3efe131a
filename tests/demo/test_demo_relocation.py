"""The demo holds sites, workshops, relocation records and employment, with 至少1人就业 below 100% in some sites
and 100% or close in others; 八必访 households with visits, some due and some overdue."""

import pytest

from bangfu.care import groups as g
from bangfu.care.models import CareVisit
from bangfu.demo.builder import demo_build
from bangfu.registry.models import Household
from bangfu.relocation import indicators
from bangfu.relocation.models import Employment, RelocatedHousehold, ResettlementSite, Workshop


@pytest.fixture
def county(db):
    return demo_build(people=6000, seed=11)


def test_relocation_and_care_in_the_demo(county):
    households = Household.objects.filter(is_active=True)
    assert RelocatedHousehold.objects.count() == households.filter(relocated=True).count() > 0
    assert not RelocatedHousehold.objects.filter(site__isnull=True).exists()
    assert ResettlementSite.objects.count() >= 5 and Workshop.objects.exists() and Employment.objects.exists()
    rows = indicators.coverage(households, by="site")
    assert any(row.rate is not None and row.rate < 1 for row in rows)
    assert max(row.rate or 0 for row in rows) > min(row.rate or 0 for row in rows if row.with_labour)
    assert CareVisit.objects.exists() and g.group_members(g.Member.objects.all(), "orphan").exists()
    assert 0 < g.visit_overdue(households).count() < g.visit_due(households).count() < g.must_visit(
        households).count()
