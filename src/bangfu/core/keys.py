"""Secrets kept in files beside the data (var/), never in the database or the repository."""

import base64
import binascii
import os
import secrets
import tempfile
from pathlib import Path


def _read_or_create(path: Path, make) -> str:
    path = Path(path)
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    # Two processes starting at once must not write two different keys, nor read a file the other has
    # created but not yet written: write it whole under a temporary name (0600), then link it into place.
    # The link either wins or finds the winner's complete file.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(value + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            return path.read_text(encoding="ascii").strip()
    finally:
        os.unlink(temporary)
    return value


def local_secret(path: Path) -> str:
    """Django's SECRET_KEY for a local install: random once, then stable."""
    return _read_or_create(path, lambda: secrets.token_urlsafe(50))


class KeyFileError(Exception):
    """The field key file cannot be used. The message (Chinese) names the file and what to do."""

    def __init__(self, message: str, path: Path):
        super().__init__(message)
        self.message = message
        self.path = Path(path)


class KeyFileMissing(KeyFileError):
    pass


class KeyFileCorrupt(KeyFileError):
    pass


def _parse_key(text: str, path: Path) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise KeyFileCorrupt(f"字段加密密钥文件 {path} 内容无效（应为一行 32 字节密钥的 base64 编码）。"
                             f"请用备份中的密钥文件替换它，切勿删除后让程序新建。", path)
    return key


def field_master_key(path: Path) -> bytes:
    """The 32-byte master key from which the field-encryption and blind-index keys are derived. Never created
    here: a missing key next to encrypted data must stop the program, not be replaced (keyring.services)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise KeyFileMissing(f"字段加密密钥文件 {path} 不存在。", path) from None
    except (UnicodeDecodeError, IsADirectoryError, PermissionError) as error:
        raise KeyFileCorrupt(f"字段加密密钥文件 {path} 无法读取（{error.__class__.__name__}）。"
                             f"请检查文件权限，或用备份中的密钥文件替换它。", path) from None
    return _parse_key(text, path)


def field_master_key_new() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def field_master_key_create(path: Path) -> bytes:
    """Create the key file (owner-only) for a database that holds nothing encrypted yet; if another process
    created it first, that one is used."""
    return _parse_key(_read_or_create(Path(path), field_master_key_new), Path(path))


def key_fingerprint(master: bytes) -> str:
    """A short public name of a key (derived one-way): recorded in the database and in backups to tell whether
    a key file belongs to them, without revealing the key."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=8, salt=None, info=b"bangfu key fingerprint").derive(master).hex()
