"""The household list pages without recounting: every page equals what plain OFFSET paging shows."""

import re

import pytest
from django.core.paginator import Paginator

from bangfu.core.paging import CappedPaginator, KeptCountPaginator
from bangfu.registry.selectors import HouseholdFilter, households_filtered, households_paginator
from tests.conftest import SONGBAI, TUANJIE, ZHANGZHA_VILLAGE

VILLAGES = (TUANJIE, SONGBAI, ZHANGZHA_VILLAGE, "513225103214")


@pytest.fixture
def spread(make_household):
    """Households over four villages in two townships, every third formerly poor."""
    for n in range(23):
        make_household(VILLAGES[n % 4 if n < 20 else 0], head_name="分页户主",
                       household_type="formerly_poor" if n % 3 == 0 else "ordinary")


@pytest.mark.parametrize("flt", [HouseholdFilter(), HouseholdFilter(household_type="formerly_poor"),
                                 HouseholdFilter(region_code="513225103000")], ids=["all", "type", "township"])
@pytest.mark.parametrize("per_page", [1, 4, 7])
def test_every_page_equals_offset_paging(county_admin, spread, flt, per_page):
    kept = households_paginator(county_admin, flt, per_page=per_page)
    plain = Paginator(households_filtered(county_admin, flt), per_page)
    assert isinstance(kept, KeptCountPaginator)
    assert (kept.count, kept.num_pages) == (plain.count, plain.num_pages)
    for number in plain.page_range:
        assert list(kept.page(number)) == list(plain.page(number)), number
    assert [h.number for h in kept.rows(5, 3)] == [h.number for h in plain.object_list[5:8]]


def test_a_page_reads_from_the_village_it_starts_in(county_admin, spread, django_assert_num_queries):
    kept = households_paginator(county_admin, HouseholdFilter(), per_page=4)
    last = kept.num_pages
    with django_assert_num_queries(1) as captured:
        rows = list(kept.page(last))
    sql = captured.captured_queries[0]["sql"]
    skipped = re.search(r"OFFSET (\d+)", sql)
    largest_village = max(n for _code, n in kept.groups)
    # Page 6 starts after 20 households, but the query starts at its village and skips fewer than one village holds.
    assert f">= '{kept.groups[-1][0]}'" in sql or f">= {kept.groups[-1][0]}" in sql, sql
    assert skipped is None or int(skipped.group(1)) < largest_village, sql
    assert len(rows) == kept.count - (last - 1) * 4


def test_a_search_counts_up_to_a_cap(county_admin, spread):
    paginator = households_paginator(county_admin, HouseholdFilter(q="分页户"), per_page=5)
    assert isinstance(paginator, CappedPaginator)
    assert (paginator.count, paginator.count_capped) == (23, False)
    paginator.cap = 10
    del paginator.count, paginator._capped_count
    assert (paginator.count, paginator.count_capped, paginator.num_pages) == (10, True, 2)


def test_a_capped_list_says_so(admin_client, spread, settings):
    import bangfu.core.paging as paging

    settings.HOUSEHOLD_PAGE_SIZE = 2
    original = paging.DEFAULT_COUNT_CAP
    try:
        paging.CappedPaginator.__init__.__kwdefaults__["cap"] = 5
        content = admin_client.get("/households/", {"q": "分页户"}).content.decode()
    finally:
        paging.CappedPaginator.__init__.__kwdefaults__["cap"] = original
    assert "超过 5 条" in content
