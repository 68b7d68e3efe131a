"""Field encryption at rest and the blind index."""

import os

import pytest
from cryptography.exceptions import InvalidTag

from bangfu.core.crypto import FieldCipher, field_cipher


@pytest.fixture
def cipher():
    return FieldCipher.from_master(os.urandom(32))


def test_round_trip(cipher):
    token = cipher.encrypt("id_number", "51322519800101001X")
    assert token.startswith("v1:")
    assert "51322519800101001X" not in token
    assert cipher.decrypt("id_number", token) == "51322519800101001X"


def test_round_trip_of_non_ascii(cipher):
    assert cipher.decrypt("bank_account", cipher.encrypt("bank_account", "农商行 6210 0000")) == "农商行 6210 0000"


def test_ciphertext_is_bound_to_its_kind(cipher):
    token = cipher.encrypt("id_number", "51322519800101001X")
    with pytest.raises(InvalidTag):
        cipher.decrypt("phone", token)


def test_same_value_encrypts_differently_each_time(cipher):
    first, second = cipher.encrypt("phone", "10012345678"), cipher.encrypt("phone", "10012345678")
    assert first != second
    assert cipher.decrypt("phone", first) == cipher.decrypt("phone", second) == "10012345678"


def test_tampered_ciphertext_is_rejected(cipher):
    import base64

    token = cipher.encrypt("phone", "10012345678")
    raw = bytearray(base64.b64decode(token[3:]))
    raw[-1] ^= 1
    with pytest.raises(InvalidTag):
        cipher.decrypt("phone", "v1:" + base64.b64encode(bytes(raw)).decode())


def test_unknown_version_is_rejected(cipher):
    token = cipher.encrypt("phone", "10012345678")
    with pytest.raises(ValueError, match="unknown ciphertext version"):
        cipher.decrypt("phone", "v9:" + token[3:])


def test_another_key_cannot_decrypt(cipher):
    other = FieldCipher.from_master(os.urandom(32))
    with pytest.raises(InvalidTag):
        other.decrypt("phone", cipher.encrypt("phone", "10012345678"))


def test_blind_index_is_deterministic(cipher):
    assert cipher.blind_index("phone", "10012345678") == cipher.blind_index("phone", "10012345678")
    assert len(cipher.blind_index("phone", "10012345678")) == 40
    assert cipher.blind_index("phone", "10012345678") != cipher.blind_index("phone", "10012345679")


def test_blind_index_differs_per_kind(cipher):
    assert cipher.blind_index("phone", "10012345678") != cipher.blind_index("id_number", "10012345678")


def test_blind_index_depends_on_the_key(cipher):
    other = FieldCipher.from_master(os.urandom(32))
    assert cipher.blind_index("phone", "10012345678") != other.blind_index("phone", "10012345678")


def test_encryption_and_index_keys_are_distinct(cipher):
    assert cipher.encryption_key != cipher.index_key
    assert len(cipher.encryption_key) == len(cipher.index_key) == 32


def test_installation_cipher_uses_the_key_file(settings):
    first = field_cipher()
    assert first is field_cipher()
    assert settings.FIELD_KEY_FILE.exists()
    token = first.encrypt("phone", "10012345678")
    assert field_cipher().decrypt("phone", token) == "10012345678"
