"""The public self-report limit holds under parallel posts on both databases: the count and the insert are one
step (a locked counter row per sender, accounts.throttle.throttle_serialise), so 40 posts at once from one address
leave exactly the limit's worth of leads, not 9 of 40 as before on PostgreSQL."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from bangfu.monitoring.models import Lead
from bangfu.monitoring.services import SELF_REPORTS_PER_HOUR
from tests.conftest import TUANJIE, synthetic_id

POSTS = 40


def _post_in_parallel(datas: list[dict], address: str) -> list[int]:
    codes: list[int] = []
    barrier = threading.Barrier(len(datas))

    def post(data):
        try:
            client = Client(REMOTE_ADDR=address)
            barrier.wait()
            codes.append(client.post(reverse("monitoring:self_report"), data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(data,)) for data in datas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


@pytest.mark.django_db(transaction=True)
def test_parallel_self_reports_from_one_address_stop_at_the_limit(regions):
    datas = [{"name": "王大妈", "phone": "100 1234 5678", "id_number": synthetic_id("19600101"), "village": TUANJIE,
              "risk_type": "medical", "difficulty": "老伴住院花了三万多元"} for _ in range(POSTS)]
    codes = _post_in_parallel(datas, "203.0.113.7")
    assert len(codes) == POSTS
    assert codes.count(302) == SELF_REPORTS_PER_HOUR  # accepted
    assert codes.count(200) == POSTS - SELF_REPORTS_PER_HOUR  # the form again, saying why
    assert Lead.objects.filter(source="self_report").count() == SELF_REPORTS_PER_HOUR
    # The control: another sender is counted on its own.
    other = _post_in_parallel(datas[:2], "203.0.113.8")
    assert other == [302, 302]
