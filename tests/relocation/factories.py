"""Relocation test data through the services, with a plain-Python recount of 至少1人就业 to compare against."""

import datetime as dt

from bangfu.cases.conditions import WITH_LABOUR
from bangfu.registry.models import Household
from bangfu.registry.services import member_add
from bangfu.relocation.models import Employment, relocation_settings
from tests.conftest import synthetic_id

YEAR = dt.date.today().year


def add_member(actor, household, *, name="成员", relation="son", birth="19900101", female=False, **data):
    number = synthetic_id(birth, male=not female)
    member = member_add(actor=actor, household=household, data={"name": name, "relation": relation, **data},
                        id_number=number)
    member.plain_id = number
    return member


def recount(households=None, *, year=YEAR) -> dict[str, set[int]]:
    """至少1人就业 recounted row by row in Python from the stated definition."""
    households = households if households is not None else Household.objects.all()
    with_labour, employed = set(), set()
    for household in households.prefetch_related("members__employments"):
        if not (household.relocated and household.is_active):
            continue
        minimum = relocation_settings(household.village_id).employed_min_months  # the household's county's
        labour = [m for m in household.members.all() if m.labour_ability in WITH_LABOUR]
        if not labour:
            continue
        with_labour.add(household.pk)
        for m in labour:
            recorded = any(e.year == year and e.months >= minimum for e in m.employments.all())
            registry = (m.work_place != "" and m.work_months >= minimum) or (
                m.public_welfare_job and m.public_welfare_months >= minimum)
            if recorded or registry:
                employed.add(household.pk)
    return {"with_labour": with_labour, "employed": employed, "without": with_labour - employed}


def employment(member, *, months=6, year=YEAR, kind="local"):
    return Employment.objects.create(member=member, year=year, kind=kind, place="县城", months=months)
