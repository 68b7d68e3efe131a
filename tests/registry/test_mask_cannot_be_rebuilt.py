"""A masked ID number keeps the address code and the last four characters; the eight birth-date digits are the
only thing hidden. So wherever a mask is shown or kept, the full birth date must not be next to it."""

import datetime as dt

from django.db import connection
from django.urls import reverse
from python_calamine import CalamineWorkbook

from bangfu.audit.models import ChangeRecord
from bangfu.core.id_number import make_id_number
from bangfu.registry.exports import household_ledger_export_start
from bangfu.registry.models import Member
from bangfu.registry.selectors import HouseholdFilter
from bangfu.registry.services import member_add
from tests.conftest import TUANJIE

BORN = dt.date(1987, 6, 5)


def _member(make_household, county_admin) -> Member:
    household = make_household(TUANJIE, number="8800000013")
    return member_add(actor=county_admin, household=household, data={"name": "掩码检查", "relation": "son"},
                      id_number=make_id_number("513225", BORN, 417))


def _birth_forms() -> set[str]:
    return {BORN.isoformat(), BORN.strftime("%Y%m%d"), f"{BORN.year}年{BORN.month}月{BORN.day}日",
            BORN.strftime("%Y-%m-%d").replace("-", "/")}


def test_the_household_page_shows_the_mask_with_the_birth_year_only(client, make_household, county_admin, leader):
    member = _member(make_household, county_admin)
    client.force_login(leader)
    page = client.get(reverse("registry:household_detail", args=[member.household_id])).content.decode()
    assert member.id_number_masked in page and f"{BORN.year}年" in page
    assert not {form for form in _birth_forms() if form in page}


def test_the_api_gives_the_birth_year_not_the_date(client, make_household, county_admin, leader):
    member = _member(make_household, county_admin)
    client.force_login(leader)
    body = client.get(reverse("api:household_detail", kwargs={"household_id": member.household_id})).json()
    row = next(m for m in body["members"] if m["name"] == "掩码检查")
    assert row["birth_year"] == BORN.year and "birth_date" not in row
    assert not {form for form in _birth_forms() if form in str(body)}


def test_the_masked_export_gives_the_birth_year_not_the_date(make_household, county_admin,
                                                            django_capture_on_commit_callbacks):
    member = _member(make_household, county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        job = household_ledger_export_start(actor=county_admin, flt=HouseholdFilter(region_code=TUANJIE))
    job.refresh_from_db()
    rows = CalamineWorkbook.from_path(job.result_path).get_sheet_by_name("家庭成员").to_python()
    row = next(r for r in rows if r[1] == "掩码检查")
    assert row[3] == member.id_number_masked and row[5] == str(BORN.year)


def test_the_mask_is_not_kept_at_rest_nor_the_birth_date_in_history(make_household, county_admin):
    member = _member(make_household, county_admin)
    columns = {c.name for c in connection.introspection.get_table_description(connection.cursor(), "registry_member")}
    assert "id_number_masked" not in columns
    for record in ChangeRecord.objects.filter(object_type="member"):
        text = f"{record.before} {record.after} {record.object_label}"
        assert member.id_number_masked not in text
        assert not {form for form in _birth_forms() if form in text}
