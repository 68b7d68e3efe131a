"""The key file belongs to its database: a missing, corrupt or foreign key is refused, naming the file and what
to do, and nothing is written (no new key, no database change)."""

import base64
import os

import pytest

from bangfu.core.keys import key_fingerprint
from bangfu.keyring.models import FieldKeyState
from bangfu.keyring.services import KeyCheckError, key_check, key_fingerprint_ensure
from tests.support import db_fingerprint

pytestmark = pytest.mark.django_db


def test_the_database_records_the_fingerprint_of_its_key(own_key):
    fingerprint = key_fingerprint(base64.b64decode(own_key.read_text()))
    assert FieldKeyState.objects.get().fingerprint == fingerprint == key_check()


def test_missing_key_next_to_data_is_refused_and_not_created(own_key, make_household):
    make_household()
    own_key.unlink()
    before = db_fingerprint()
    with pytest.raises(KeyCheckError) as refused:
        key_check(create_if_empty=True)
    message = refused.value.message
    assert str(own_key) in message and "不存在" in message and "BANGFU_FIELD_KEY_FILE" in message
    assert "未做任何写入" in message
    assert not own_key.exists() and db_fingerprint() == before


def test_missing_key_is_refused_even_before_any_household(own_key):
    own_key.unlink()  # the database has recorded a key: a new one would not be the one it expects
    with pytest.raises(KeyCheckError):
        key_check(create_if_empty=True)
    assert not own_key.exists()


def test_an_empty_database_gets_a_new_key(own_key):
    FieldKeyState.objects.all().delete()
    own_key.unlink()
    key_fingerprint_ensure()
    assert own_key.exists() and os.stat(own_key).st_mode & 0o777 == 0o600
    assert FieldKeyState.objects.get().fingerprint == key_fingerprint(base64.b64decode(own_key.read_text()))


@pytest.mark.parametrize("content", ["", "garbage!!", base64.b64encode(b"x" * 16).decode()])
def test_corrupt_key_is_refused_and_left_as_it_is(own_key, make_household, content):
    make_household()
    own_key.write_text(content, encoding="ascii")
    with pytest.raises(KeyCheckError) as refused:
        key_check(create_if_empty=True)
    assert str(own_key) in refused.value.message and "备份" in refused.value.message
    assert own_key.read_text(encoding="ascii") == content


def test_foreign_key_is_refused(own_key, make_household):
    make_household()
    own_key.write_text(base64.b64encode(os.urandom(32)).decode(), encoding="ascii")
    with pytest.raises(KeyCheckError) as refused:
        key_check()
    assert "不匹配" in refused.value.message and str(own_key) in refused.value.message


def test_foreign_key_is_refused_where_no_fingerprint_was_recorded_yet(own_key, make_household):
    """A database from before fingerprints were recorded: the key must open its ciphertexts."""
    make_household()
    FieldKeyState.objects.all().delete()
    good = own_key.read_text()
    own_key.write_text(base64.b64encode(os.urandom(32)).decode(), encoding="ascii")
    with pytest.raises(KeyCheckError, match="打不开"):
        key_fingerprint_ensure()
    assert not FieldKeyState.objects.exists()
    own_key.write_text(good)
    key_fingerprint_ensure()
    assert FieldKeyState.objects.get().fingerprint == key_fingerprint(base64.b64decode(good))


def test_an_unfinished_rotation_is_refused(own_key):
    FieldKeyState.objects.update(rotating_to="0123456789abcdef")
    with pytest.raises(KeyCheckError, match="rotate-key"):
        key_check()
