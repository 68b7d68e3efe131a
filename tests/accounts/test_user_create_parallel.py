"""Opening the same username in two cases at once: exactly one account, the other manager told the name is taken
(a unique index on the lower-cased username, not only the service's check before the insert)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from bangfu.accounts.models import User
from bangfu.accounts.services import user_create
from tests.conftest import COUNTY, TUANJIE


@pytest.mark.django_db(transaction=True)
def test_parallel_creates_of_one_name_in_two_cases_leave_one_account(regions):
    admin = User.objects.create_user(username="root_admin", password="pw-for-tests-1", role="county_admin",
                                     region_id=COUNTY)
    names = ["Clerk", "clerk", "CLERK", "cLerk"]
    outcomes: list[str] = []
    barrier = threading.Barrier(len(names))

    def create(name):
        try:
            barrier.wait()
            user_create(actor=admin, username=name, password="Pw-for-tests-12345", role="village_cadre",
                        region_code=TUANJIE)
            outcomes.append("created")
        except ValidationError as error:
            outcomes.append("refused" if "username" in error.message_dict else repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created", "refused", "refused", "refused"]
    assert User.objects.filter(username__iexact="clerk").count() == 1


@pytest.mark.django_db
def test_the_index_itself_refuses_a_name_differing_only_in_case(regions):
    User.objects.create_user(username="Liaison", password="pw-for-tests-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(username="liaison", password="pw-for-tests-1")
    User.objects.create_user(username="liaison2", password="pw-for-tests-1")  # the control
