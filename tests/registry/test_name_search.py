"""Searching by name (registry/search.py): what each length of text finds, the same on both databases, and through
an index on PostgreSQL. A two-character text matches the start of a name only: as any part (秀英 in 王秀英) no
trigram index serves it, and a GIN index over two-character pieces was tried and dropped — a common given name
matched ~7,500 of a million members and the list took 100-300 ms to order their households."""

import pytest
from django.db import connection

from bangfu.registry.search import members_named
from bangfu.registry.selectors import HouseholdFilter, households_filtered
from tests.conftest import TUANJIE

NAMES = ("王秀英", "李秀英", "秀英王", "扎西多吉", "多吉", "王建国")


@pytest.fixture
def named(make_household):
    return {name: make_household(TUANJIE, head_name=name) for name in NAMES}


def _found(text: str) -> set[str]:
    return set(members_named(text).values_list("name", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "expected"), [
    ("王", {"王秀英", "王建国"}),  # one or two characters: the start of the name (a surname, a whole name)
    ("秀英", {"秀英王"}),
    ("多吉", {"多吉"}),
    ("西多吉", {"扎西多吉"}),  # three or more: any part
    ("王秀英", {"王秀英"}),
    ("英王", set()),  # two characters inside a name: not found
    ("秀英王", {"秀英王"}),
    ("国王", set()),
])
def test_what_each_length_finds(named, text, expected):
    assert _found(text) == expected


@pytest.mark.django_db
def test_the_list_finds_households_by_a_members_name(named, county_admin):
    found = households_filtered(county_admin, HouseholdFilter(q="秀英"))
    assert set(found.values_list("head_name", flat=True)) == {"秀英王"}
    found = households_filtered(county_admin, HouseholdFilter(q="西多吉"))
    assert set(found.values_list("head_name", flat=True)) == {"扎西多吉"}


@pytest.mark.django_db
@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.parametrize(("text", "index"), [("秀英", "registry_member_name_4d2df171_like"),
                                             ("西多吉", "registry_member_name_trgm")])
def test_postgresql_searches_names_through_an_index(named, text, index):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: make the planner show its index
        plan = members_named(text).explain()
    assert index in plan, plan
