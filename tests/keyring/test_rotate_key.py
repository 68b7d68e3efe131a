"""`bangfu rotate-key`: everything re-encrypted and re-indexed under a new key, in batches; interrupted after a
batch (or killed) and run again, it finishes and every number is readable and findable."""

import base64
import os
import signal
import subprocess
import sys

import pytest

from bangfu.core.crypto import field_cipher, field_cipher_reset
from bangfu.core.keys import key_fingerprint
from bangfu.keyring.models import FieldKeyState
from bangfu.keyring.services import KeyCheckError, key_check, key_rotate, new_key_path
from bangfu.registry.models import Household, Member
from bangfu.registry.selectors import HouseholdFilter, households_filtered
from bangfu.registry.services import member_add
from tests.conftest import synthetic_id

pytestmark = pytest.mark.django_db


class Interrupted(BaseException):
    """Stands for the process being stopped between two batches."""


def _plaintexts():
    return ({m.pk: m.reveal_id_number() for m in Member.objects.all()},
            {h.pk: h.reveal_phone() for h in Household.objects.all()})


def test_rotation_interrupted_after_a_batch_resumes_and_everything_stays_readable(own_key, make_household,
                                                                                  county_admin):
    for _ in range(4):
        household = make_household()
        member_add(actor=county_admin, household=household, data={"name": "成员", "relation": "son"},
                   id_number=synthetic_id())
        member_add(actor=county_admin, household=household, data={"name": "证件其他", "relation": "daughter",
                                                                   "id_type": "other"},
                   id_number="XJ-2024-0001" + str(household.pk), sex="female", birth_date=household.created_at.date())
    members, phones = _plaintexts()
    old_key, old_digests = own_key.read_text(), dict(Member.objects.values_list("pk", "id_number_digest"))
    lines = []

    def stop_after_two_batches(line):
        lines.append(line)
        if len(lines) == 2:
            raise Interrupted

    with pytest.raises(Interrupted):
        key_rotate(batch_size=3, report=stop_after_two_batches)
    state = FieldKeyState.objects.get()
    assert state.rotating_to and new_key_path().exists() and own_key.read_text() == old_key
    with pytest.raises(KeyCheckError, match="rotate-key"):
        key_check()  # the server and the worker refuse to start half-way
    key_rotate(batch_size=3, report=lines.append)
    field_cipher_reset()
    assert own_key.read_text() != old_key and not new_key_path().exists()
    state.refresh_from_db()
    assert state.fingerprint == key_fingerprint(base64.b64decode(own_key.read_text())) and not state.rotating_to
    assert key_check() == state.fingerprint
    assert _plaintexts() == (members, phones)
    new_digests = dict(Member.objects.values_list("pk", "id_number_digest"))
    assert all(new_digests[pk] != old_digests[pk] for pk in old_digests)
    residents = Member.objects.filter(id_type="resident_id").values_list("pk", flat=True)
    for pk in list(residents)[:3]:  # the blind index works under the new key
        assert households_filtered(county_admin, HouseholdFilter(q=members[pk])).count() == 1
    phone = next(p for p in phones.values() if p)
    assert households_filtered(county_admin, HouseholdFilter(q=phone)).exists()
    assert field_cipher().decrypt("id_number", Member.objects.first().id_number_cipher)


@pytest.mark.slow
def test_rotate_key_killed_and_run_again(tmp_path, migrated_sqlite):
    """The real command, killed with SIGKILL while it works, then run again."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "BANGFU_TASK_BACKEND"}}
    env.update(BANGFU_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="bangfu.settings", PYTHONUNBUFFERED="1")

    def bangfu(*args, **kwargs):
        return subprocess.run([sys.executable, "-m", "bangfu.cli", *args], env=env, text=True,
                              capture_output=True, timeout=300, **kwargs)

    check = ("from bangfu.registry.models import Member;import hashlib;"
             "print(hashlib.sha256(''.join(m.reveal_id_number() for m in Member.objects.order_by('pk'))"
             ".encode()).hexdigest(), Member.objects.count())")
    migrated_sqlite(tmp_path)
    assert bangfu("build-demo", "--people", "300").returncode == 0
    before = bangfu("shell", "-c", check).stdout
    process = subprocess.Popen([sys.executable, "-m", "bangfu.cli", "rotate-key", "--batch-size", "20",
                                "--pause", "0.2"], env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen = [process.stdout.readline() for _ in range(3)]
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert all("已重新加密" in line for line in seen), seen
    refused = bangfu("shell", "-c", check)
    assert refused.returncode != 0 and "rotate-key" in refused.stderr
    resumed = bangfu("rotate-key", "--batch-size", "50")
    assert resumed.returncode == 0, resumed.stderr
    assert "继续上次未完成的轮换" in resumed.stdout and "轮换完成" in resumed.stdout
    after = bangfu("shell", "-c", check)
    assert after.returncode == 0 and after.stdout == before and before.split()[1] != "0"
