"""Two cadres enter the same ID number at the same moment: exactly one is saved, the other is told why."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from bangfu.registry import services
from bangfu.registry.models import Member
from tests.conftest import SONGBAI, TUANJIE, synthetic_id


@pytest.mark.django_db(transaction=True)
def test_same_id_number_at_once_saves_exactly_one(make_household, county_admin, monkeypatch):
    first = make_household(TUANJIE, number="8800000023")
    second = make_household(SONGBAI, number="8800000024")
    number = synthetic_id("20100101")
    if connection.vendor == "postgresql":
        # Hold both writers after their duplicate check and before their insert, so both pass the check and the
        # unique index has to decide. (SQLite serialises write transactions, so there the check alone decides.)
        barrier = threading.Barrier(2, timeout=10)
        original = services._apply_id_number

        def apply_then_wait(member, parsed, digest):
            original(member, parsed, digest)
            barrier.wait()

        monkeypatch.setattr(services, "_apply_id_number", apply_then_wait)
    outcomes: dict[str, object] = {}

    def add(household, name):
        try:
            services.member_add(actor=county_admin, household=household, data={"name": name, "relation": "son"},
                                id_number=number)
            outcomes[name] = "saved"
        except ValidationError as error:
            outcomes[name] = error.message_dict["id_number"][0]
        finally:
            connections.close_all()

    threads = [threading.Thread(target=add, args=(household, name))
               for household, name in ((first, "甲"), (second, "乙"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(v == "saved" for v in outcomes.values()) == [False, True], outcomes
    refused = next(v for v in outcomes.values() if v != "saved")
    assert "身份证号重复" in refused
    assert Member.objects.filter(name__in=["甲", "乙"]).count() == 1
