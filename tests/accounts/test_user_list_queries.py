"""The user list runs a fixed number of queries, however many accounts it shows."""

import pytest
from django.urls import reverse

from bangfu.assistance.models import Unit
from tests.conftest import COUNTY, SONGBAI, TUANJIE, ZHANGZHA_VILLAGE, make_user

# session, the user, the user's region (the jurisdiction), the paginator's count, the page of accounts (region,
# township and unit joined).
LIST_PAGE_QUERIES = 5


def _list_queries(client, django_assert_max_num_queries) -> tuple[int, int]:
    with django_assert_max_num_queries(LIST_PAGE_QUERIES) as captured:
        response = client.get(reverse("accounts:user_list"))
    assert response.status_code == 200
    return len(captured.captured_queries), len(response.context["page"].object_list)


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}], ids=["page", "htmx"])
def test_user_list_queries_do_not_grow_with_rows(admin_client, regions, django_assert_max_num_queries, headers):
    make_user("one", "village_cadre", TUANJIE)
    few, shown_few = _list_queries(admin_client, django_assert_max_num_queries)
    for n in range(10):
        make_user(f"songbai{n}", "village_cadre", SONGBAI)
        make_user(f"zhangzha{n}", "assistance_contact", ZHANGZHA_VILLAGE)
        unit = Unit.objects.create(name=f"单位{n}", county_id=COUNTY)
        make_user(f"unit{n}", "unit_liaison", unit=unit)
    many, shown_many = _list_queries(admin_client, django_assert_max_num_queries)
    assert (shown_few, shown_many) == (2, 32)
    assert few == many == LIST_PAGE_QUERIES
