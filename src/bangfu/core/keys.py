"""Secrets kept in files beside the data (var/), never in the database or the repository."""

import base64
import os
import secrets
from pathlib import Path


def _read_or_create(path: Path, make) -> str:
    path = Path(path)
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    # O_EXCL: two processes starting at once must not write two different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
    return value


def local_secret(path: Path) -> str:
    """Django's SECRET_KEY for a local install: random once, then stable."""
    return _read_or_create(path, lambda: secrets.token_urlsafe(50))


def field_master_key(path: Path) -> bytes:
    """The 32-byte master key from which the field-encryption and blind-index keys are derived."""
    text = _read_or_create(path, lambda: base64.b64encode(secrets.token_bytes(32)).decode("ascii"))
    key = base64.b64decode(text)
    if len(key) != 32:
        raise ValueError(f"字段加密密钥文件 {path} 内容无效：应为 32 字节的 base64")
    return key
