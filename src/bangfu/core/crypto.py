"""Encryption at rest for personal data (ID numbers, phones, bank accounts).

AES-256-GCM with a random nonce per value; the field kind is bound in as associated data so a phone
ciphertext cannot be pasted into an ID-number column. Equality look-ups go through a blind index: an
HMAC-SHA256 of the normalised value under a second key derived from the same master key, which lives in a
file outside the database (settings.FIELD_KEY_FILE).
"""

import base64
import hmac
import os
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bangfu.core.keys import field_master_key

VERSION = "v1"


def _derive(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)


@dataclass(frozen=True)
class FieldCipher:
    encryption_key: bytes
    index_key: bytes

    @classmethod
    def from_master(cls, master: bytes) -> "FieldCipher":
        return cls(_derive(master, b"bangfu field encryption"), _derive(master, b"bangfu blind index"))

    @cached_property
    def _aead(self) -> AESGCM:
        # Built once per key: bulk writers (the import, the demo build) encrypt a value per row.
        return AESGCM(self.encryption_key)

    def encrypt(self, kind: str, plaintext: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), kind.encode("ascii"))
        return f"{VERSION}:" + base64.b64encode(nonce + sealed).decode("ascii")

    def decrypt(self, kind: str, token: str) -> str:
        version, _, body = token.partition(":")
        if version != VERSION:
            raise ValueError(f"unknown ciphertext version {version!r}")
        raw = base64.b64decode(body)
        return self._aead.decrypt(raw[:12], raw[12:], kind.encode("ascii")).decode("utf-8")

    def blind_index(self, kind: str, normalised: str) -> str:
        # hmac.digest: the same HMAC-SHA256 as hmac.new(...).hexdigest(), in one call (once per row on imports).
        return hmac.digest(self.index_key, f"{kind}:{normalised}".encode(), "sha256").hex()[:40]


@lru_cache(maxsize=4)
def _cipher_for(path: str) -> FieldCipher:
    from pathlib import Path

    return FieldCipher.from_master(field_master_key(Path(path)))


_override: list[FieldCipher] = []


def field_cipher() -> FieldCipher:
    """The cipher for this installation, keyed by settings.FIELD_KEY_FILE (never creates the key)."""
    from django.conf import settings

    if _override:
        return _override[-1]
    return _cipher_for(str(settings.FIELD_KEY_FILE))


def field_cipher_reset() -> None:
    """Forget the cached key (after a restore or a rotation replaced the file)."""
    _cipher_for.cache_clear()


@contextmanager
def using_cipher(cipher: FieldCipher):
    """Compute blind indexes under another key (a rotation re-indexing with the new key), in this process."""
    _override.append(cipher)
    try:
        yield cipher
    finally:
        _override.pop()


@dataclass(frozen=True)
class EncryptedField:
    """A column holding ciphertext of one kind, and the blind index beside it (if any) with how it is computed
    from the plaintext (under field_cipher()). `bangfu rotate-key` re-encrypts and re-indexes every one."""

    model: str  # "app_label.ModelName"
    cipher_field: str
    kind: str
    digest_field: str = ""
    digest: Callable | None = None  # (row, plaintext) -> blind index


ENCRYPTED_FIELDS: list[EncryptedField] = []


def encrypted_field(**kwargs) -> None:
    """Declare an encrypted column (in the owning app's AppConfig.ready)."""
    field = EncryptedField(**kwargs)
    if field not in ENCRYPTED_FIELDS:
        ENCRYPTED_FIELDS.append(field)
