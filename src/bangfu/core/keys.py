"""Secrets kept in files beside the data (var/), never in the database or the repository."""

import base64
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


def field_master_key(path: Path) -> bytes:
    """The 32-byte master key from which the field-encryption and blind-index keys are derived."""
    text = _read_or_create(path, lambda: base64.b64encode(secrets.token_bytes(32)).decode("ascii"))
    key = base64.b64decode(text)
    if len(key) != 32:
        raise ValueError(f"字段加密密钥文件 {path} 内容无效：应为 32 字节的 base64")
    return key
