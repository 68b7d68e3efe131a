"""Every page runs a bounded number of queries: the same with a few rows as with many (tests/support.py).

The `most` column pins today's count, so a change that adds a query to a page is seen here on purpose.
"""

import itertools

import pytest
from django.urls import reverse

from bangfu.registry.services import (
    household_reveal_phone,
    household_update,
    income_record_save,
    member_add,
    member_reveal_id_number,
)
from tests.conftest import SONGBAI, TUANJIE, ZHANGZHA_VILLAGE, synthetic_id
from tests.support import assert_queries_flat

_names = itertools.count(1)


@pytest.fixture
def world(make_household, county_admin):
    """One household of each kind the pages show, and a grow() that adds many more rows of everything."""
    subject = make_household(TUANJIE, head_name="查询户主", household_type="formerly_poor",
                             monitoring_type="unstable", identified_month="202401")
    household_reveal_phone(actor=county_admin, household=subject)  # one row of each list to begin with
    member_add(actor=county_admin, household=subject, data={"name": "查询配偶", "relation": "spouse"},
               id_number=synthetic_id(male=False))

    def grow():
        for village in (TUANJIE, SONGBAI, ZHANGZHA_VILLAGE) * 6:
            n = next(_names)
            household = make_household(village, head_name="查询户主", household_type="formerly_poor",
                                       **({"monitoring_type": "unstable", "identified_month": "202402"} if n % 2 else {}))
            member_add(actor=county_admin, household=household, data={"name": "查询配偶", "relation": "spouse"},
                       id_number=synthetic_id(male=False))
        for _ in range(6):
            member = member_add(actor=county_admin, household=subject, data={"name": "查询之子", "relation": "son"},
                                id_number=synthetic_id())
            member_reveal_id_number(actor=county_admin, member=member)
        for year in (2023, 2024, 2025):
            income_record_save(actor=county_admin, household=subject, year=year, data={"wage_income": 1000 * year})
        for group in range(5):
            household_update(actor=county_admin, household=subject, data={"group": f"{group}组"})
        household_reveal_phone(actor=county_admin, household=subject)

    return {"subject": subject, "grow": grow}


def _member(world):
    return world["subject"].members.order_by("id").first()


# name: (url from the world, query parameters, headers, at most this many queries)
PAGES = {
    # the case queue (cases.selectors.work_queue_for: its counts and its ranked rows) two; the monitoring lines and
    # the below-line count two; the queues of issue 15: overdue warnings two (the rules' limits, then the rows with
    # their count), new leads one, measures due two (the limit, then the rows), warnings on monitored households
    # to follow with their case one, every warning to verify (new ones too) one; each queue with rows one more
    # (web.lists.first_and_count: the keys with the count over the queue alone, then the rows shown with their
    # households; here one queue has rows)
    "home": (lambda w: reverse("web:home"), {}, {}, 17),
    "household-list": (lambda w: reverse("registry:household_list"), {}, {}, 7),
    "household-list-htmx": (lambda w: reverse("registry:household_list"), {}, {"HX-Request": "true"}, 7),
    "household-list-page-2": (lambda w: reverse("registry:household_list"), {"page": "2"}, {}, 7),
    # + naming the chosen region in the export's scope sentence, and in the monitored ledger's
    "household-list-township": (lambda w: reverse("registry:household_list"), {"region": "513225103000"}, {}, 11),
    "household-list-below-line": (lambda w: reverse("registry:household_list"), {"below_line": "on"}, {}, 8),
    "household-list-group": (lambda w: reverse("registry:household_list"), {"group": "3组"}, {}, 7),
    "household-list-filtered": (lambda w: reverse("registry:household_list"),
                                {"household_type": "formerly_poor", "monitoring_status": "monitored"}, {}, 7),
    "household-list-name": (lambda w: reverse("registry:household_list"), {"q": "查询户主"}, {}, 7),
    "household-list-number": (lambda w: reverse("registry:household_list"), {"q": "513225"}, {}, 7),
    # 14: the open case and the open warnings (the household's place in the workflow) one query each
    "household-detail": (lambda w: reverse("registry:household_detail", args=[w["subject"].pk]), {}, {}, 14),
    "household-edit": (lambda w: reverse("registry:household_edit", args=[w["subject"].pk]), {}, {}, 5),
    "household-create": (lambda w: reverse("registry:household_create"), {}, {}, 4),
    "member-add": (lambda w: reverse("registry:member_add", args=[w["subject"].pk]), {}, {}, 4),
    "member-edit": (lambda w: reverse("registry:member_edit", args=[_member(w).pk]), {}, {}, 4),
    "member-remove": (lambda w: reverse("registry:member_remove", args=[_member(w).pk]), {}, {}, 7),
    "income-add": (lambda w: reverse("registry:income_add", args=[w["subject"].pk]), {}, {}, 5),
    # + naming the households the records are about (one query per page, not per row), + naming what the changes
    # point to by key, one query per kind of object (here villages and households), never per row
    "audit-changes": (lambda w: reverse("web:audit_log"), {}, {}, 8),
    "audit-reveals": (lambda w: reverse("web:audit_log"), {"view": "reveals"}, {}, 6),
    "users": (lambda w: reverse("accounts:user_list"), {}, {}, 5),
    "jobs": (lambda w: reverse("jobs:job_list"), {}, {}, 4),
    "monitoring-lines": (lambda w: reverse("monitoring:lines"), {}, {}, 5),
    "api-households": (lambda w: reverse("api:household_list"), {}, {}, 7),  # 7: the logged release (audit RevealRecord)
    "api-household": (lambda w: reverse("api:household_detail", args=[w["subject"].pk]), {}, {}, 7),
}


@pytest.mark.parametrize("name", PAGES)
def test_page_queries_do_not_grow_with_rows(client, county_admin, world, name, settings):
    settings.HOUSEHOLD_PAGE_SIZE = 5  # so page 2 exists once the world has grown
    url, data, headers, most = PAGES[name]
    client.force_login(county_admin)
    assert_queries_flat(client, lambda: url(world), world["grow"], data=data, headers=headers, most=most)
