"""A cadre's writes sent at once (a double tap, the cadre and the liaison) get what one after the other gets: two
overlapping leave requests leave one, the other refused naming it; two first check-ins of a day in different
villages leave one, the other refused naming it. Never the database's own refusal."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from bangfu.assistance import services as s
from bangfu.assistance.models import CheckIn, LeaveRequest, LinkedVillage, Unit
from tests.conftest import COUNTY, SONGBAI, TUANJIE, make_user


def _at_once(calls) -> list[str]:
    outcomes: list[str] = []
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("done")
        except ValidationError as error:
            outcomes.append("refused:" + " ".join(error.messages))
        except Exception as error:  # noqa: BLE001 - the test names what went wrong
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.fixture
def cadre_and_account(regions):
    unit = Unit.objects.create(name="成都大学", short_name="成都大学", kind="university", county=regions[COUNTY])
    LinkedVillage.objects.create(unit=unit, village=regions[TUANJIE], since=dt.date(2021, 7, 1))
    admin = make_user("county_admin", "county_admin", COUNTY)
    account = make_user("linxiao", "village_cadre", TUANJIE)
    cadre = s.cadre_save(actor=admin, unit=unit, data={
        "name": "林晓", "kind": "first_secretary", "village": regions[TUANJIE], "term_start": dt.date(2021, 7, 1),
        "user": account})
    return cadre, account


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_leave_requests_at_once_leave_one(cadre_and_account):
    cadre, account = cadre_and_account
    start = timezone.localdate() + dt.timedelta(days=5)
    outcomes = _at_once([lambda n=n: s.leave_request_submit(
        actor=account, cadre=cadre, start=start + dt.timedelta(days=n), end=start + dt.timedelta(days=n + 1),
        reason="事假") for n in (0, 1)])
    assert outcomes[0] == "done" and outcomes[1].startswith("refused:") and "重叠" in outcomes[1], outcomes
    assert LeaveRequest.objects.filter(cadre=cadre).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_first_check_ins_of_a_day_at_once_leave_one(cadre_and_account, regions):
    cadre, account = cadre_and_account
    today = timezone.localdate()
    outcomes = _at_once([lambda code=code: s.check_in_record(actor=account, cadre=cadre, date=today,
                                                             village=regions[code]) for code in (TUANJIE, SONGBAI)])
    assert outcomes[0] == "done" and outcomes[1].startswith("refused:") and "同一天只能签到一次" in outcomes[1], outcomes
    assert CheckIn.objects.filter(cadre=cadre, date=today).count() == 1
