"""The field key and the database that is encrypted with it: they must belong together.

- A new key is created only for a database that holds nothing encrypted and has no key recorded.
- The database records the key's fingerprint; the server, the worker and every command check the key file
  against it before they start (key_check), and refuse a missing, corrupt or different key, writing nothing.
- `bangfu rotate-key` re-encrypts and re-indexes under a new key in batches (key_rotate); each batch commits
  with its progress, so a rotation killed half-way resumes where it stopped.
- `bangfu backup` / `bangfu restore` (keyring.backup) write and read the database and the key as separate files.
"""

import logging
import os
import time
from pathlib import Path

from cryptography.exceptions import InvalidTag
from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from bangfu.core.crypto import ENCRYPTED_FIELDS, FieldCipher, field_cipher_reset, using_cipher
from bangfu.core.keys import (
    KeyFileError,
    KeyFileMissing,
    _parse_key,
    field_master_key,
    field_master_key_create,
    field_master_key_new,
    key_fingerprint,
)

log = logging.getLogger(__name__)

NOTHING_WRITTEN = "本次未做任何写入。"


class KeyCheckError(Exception):
    """The key file and the database do not go together; the message says which file and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def key_path() -> Path:
    return Path(settings.FIELD_KEY_FILE)


def new_key_path() -> Path:
    path = key_path()
    return path.with_name(path.name + ".new")


def _tables(using: str) -> set[str]:
    with connections[using].cursor() as cursor:
        return set(connections[using].introspection.table_names(cursor))


def _state(using: str):
    """The recorded key state, or None (not migrated yet, or nothing recorded)."""
    from bangfu.keyring.models import FieldKeyState

    if FieldKeyState._meta.db_table not in _tables(using):
        return None
    return FieldKeyState.objects.using(using).order_by("pk").first()


def _sample_ciphertexts(using: str, limit: int = 3) -> list[tuple[str, str]]:
    """A few (kind, ciphertext) pairs from the database, to tell whether it holds encrypted data at all and
    whether a key opens it."""
    tables = _tables(using)
    found = []
    for spec in ENCRYPTED_FIELDS:
        model = apps.get_model(spec.model)
        if model._meta.db_table not in tables:
            continue
        values = (model.objects.using(using).exclude(**{spec.cipher_field: ""})
                  .values_list(spec.cipher_field, flat=True)[:limit])
        found += [(spec.kind, value) for value in values]
    return found


def _opens(master: bytes, samples: list[tuple[str, str]]) -> bool:
    cipher = FieldCipher.from_master(master)
    try:
        for kind, token in samples:
            cipher.decrypt(kind, token)
    except (InvalidTag, ValueError):
        return False
    return True


def _what_to_do(path: Path) -> str:
    return (f"请把与该数据库配套的密钥文件（备份目录中的 field-key.txt）放回 {path}，"
            f"或设置环境变量 BANGFU_FIELD_KEY_FILE 指向它；切勿新建密钥，否则已加密的身份证号和电话将无法读取。")


def key_check(*, using: str = DEFAULT_DB_ALIAS, create_if_empty: bool = False) -> str | None:
    """Check that the key file belongs to the database; return its fingerprint (None: no key and nothing that
    needs one yet). Raises KeyCheckError, having written nothing. With create_if_empty, a database that holds
    nothing encrypted and has no key recorded gets a new key file (the only place a key is ever created)."""
    path = key_path()
    state = _state(using)
    if state is not None and state.rotating_to:
        raise KeyCheckError(f"字段加密密钥正在轮换，尚未完成（新密钥文件 {new_key_path()}）。"
                            f"请先运行 bangfu rotate-key 完成轮换，再启动服务。" + NOTHING_WRITTEN)
    try:
        master = field_master_key(path)
    except KeyFileMissing:
        samples = _sample_ciphertexts(using)
        if state is not None or samples:
            raise KeyCheckError(f"字段加密密钥文件 {path} 不存在，而数据库中已有用它加密的数据。"
                                + _what_to_do(path) + NOTHING_WRITTEN) from None
        if not create_if_empty:
            return None
        master = field_master_key_create(path)
        log.warning("created a new field key at %s for an empty database", path)
    except KeyFileError as error:
        raise KeyCheckError(error.message + NOTHING_WRITTEN) from None
    fingerprint = key_fingerprint(master)
    if state is not None and state.fingerprint != fingerprint:
        raise KeyCheckError(f"字段加密密钥文件 {path} 与数据库不匹配：数据库记录的密钥指纹为 {state.fingerprint}，"
                            f"该文件的指纹为 {fingerprint}。" + _what_to_do(path) + NOTHING_WRITTEN)
    if state is None:
        samples = _sample_ciphertexts(using)
        if samples and not _opens(master, samples):
            raise KeyCheckError(f"字段加密密钥文件 {path} 打不开数据库中已加密的数据，不是该数据库的密钥。"
                                + _what_to_do(path) + NOTHING_WRITTEN)
    return fingerprint


def key_fingerprint_ensure(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """After migrate: check the key (creating it for an empty database) and record its fingerprint."""
    from bangfu.keyring.models import FieldKeyState

    fingerprint = key_check(using=using, create_if_empty=True)
    if fingerprint and not FieldKeyState.objects.using(using).exists():
        FieldKeyState.objects.using(using).create(fingerprint=fingerprint)


def key_guard() -> None:
    """Before the server, the worker or a command starts: refuse (SystemExit with the message) on a key that
    does not belong to the database. A database that cannot be reached is left to the command to report."""
    try:
        key_check()
    except KeyCheckError as error:
        raise SystemExit(error.message) from None
    except DatabaseError:
        return
    finally:
        # The command or server that follows opens its own connection (gunicorn forks after this); a connection
        # inside a transaction belongs to a caller (a test calling main() in-process) and stays open.
        for connection in connections.all(initialized_only=True):
            if not connection.in_atomic_block:
                connection.close()


# --- rotation -----------------------------------------------------------------------------------------------

def _write_key_file(path: Path, text: str) -> None:
    """Write a key file whole and durably (owner-only): a rotation must never lose the key it encrypts with."""
    temporary = path.with_name(f".{path.name}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _sync_directory(path.parent)


def _sync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _finish_switch(new_path: Path, path: Path) -> None:
    os.replace(new_path, path)
    _sync_directory(path.parent)
    field_cipher_reset()


def _refuse_while_running() -> None:
    from bangfu.keyring.leases import processes_live

    live = processes_live()
    if live:
        names = "、".join(f"{lease.get_kind_display()} {lease.name}（最近心跳 "
                         f"{timezone.localtime(lease.heartbeat_at):%Y-%m-%d %H:%M:%S}）" for lease in live)
        raise KeyCheckError(f"有服务器或后台任务进程正在使用该数据库：{names}。请先停止 bangfu serve 和 bangfu worker"
                            f"（它们仍用旧密钥，轮换后写入的数据将无法读取），再运行 bangfu rotate-key；如确认它们已停止"
                            f"（例如在别的机器上已关机），可加 --force。" + NOTHING_WRITTEN)


def key_rotate(*, batch_size: int = 500, pause: float = 0.0, report=print, force: bool = False) -> dict[str, int]:
    """Re-encrypt and re-index every encrypted column under a new key, in batches; then switch the key file.

    Resumable: the new key is written to `<key file>.new` (fsynced) before anything is re-encrypted, and each
    batch commits together with how far its table has got. Run it again after an interruption and it continues.
    Stop the server and the worker first: it refuses while one runs against the database (their leases, see
    keyring.leases; force=True overrides), and they refuse to start while a rotation is unfinished."""
    from bangfu.keyring.models import FieldKeyState

    if not force:
        _refuse_while_running()

    path, new_path = key_path(), new_key_path()
    state = FieldKeyState.objects.order_by("pk").first()
    if state is None:
        raise KeyCheckError("数据库中没有记录密钥指纹：请先运行 bangfu migrate。" + NOTHING_WRITTEN)
    try:
        old_master = field_master_key(path)
    except KeyFileError as error:
        raise KeyCheckError(error.message + NOTHING_WRITTEN) from None
    if key_fingerprint(old_master) != state.fingerprint:
        # Killed after the database switched to the new key but before the file was renamed: finish that.
        if new_path.exists() and key_fingerprint(field_master_key(new_path)) == state.fingerprint:
            _finish_switch(new_path, path)
            report(f"上次轮换已完成数据库部分，现已启用新密钥 {path}")
            return {}
        raise KeyCheckError(f"字段加密密钥文件 {path} 与数据库不匹配，不能轮换。" + _what_to_do(path) + NOTHING_WRITTEN)
    if new_path.exists():
        new_master = field_master_key(new_path)
        report(f"继续上次未完成的轮换（新密钥 {new_path}）")
    else:
        if state.rotating_to:
            raise KeyCheckError(f"轮换未完成，但新密钥文件 {new_path} 不见了：已用它加密的数据需要它。"
                                f"请从备份找回该文件后重新运行。" + NOTHING_WRITTEN)
        text = field_master_key_new()
        _write_key_file(new_path, text)
        new_master = _parse_key(text, new_path)
    new_fingerprint = key_fingerprint(new_master)
    if state.rotating_to and state.rotating_to != new_fingerprint:
        raise KeyCheckError(f"新密钥文件 {new_path} 不是本次轮换开始时的那个（指纹 {state.rotating_to}）。"
                            f"请找回原文件后重新运行。" + NOTHING_WRITTEN)
    if not state.rotating_to:
        FieldKeyState.objects.filter(pk=state.pk).update(rotating_to=new_fingerprint, rotation_progress={})
        state.rotating_to, state.rotation_progress = new_fingerprint, {}
    old, new = FieldCipher.from_master(old_master), FieldCipher.from_master(new_master)
    counts: dict[str, int] = {}
    by_model: dict[str, list] = {}
    for spec in ENCRYPTED_FIELDS:
        by_model.setdefault(spec.model, []).append(spec)
    for model_name, specs in by_model.items():
        counts[model_name] = _rotate_model(state, model_name, specs, old, new, batch_size, pause, report)
    with transaction.atomic():
        FieldKeyState.objects.filter(pk=state.pk).update(fingerprint=new_fingerprint, rotating_to="",
                                                         rotation_progress={})
    _finish_switch(new_path, path)
    report(f"轮换完成：新密钥指纹 {new_fingerprint}，已写入 {path}。旧密钥已不再使用；旧备份仍需各自备份中的密钥。")
    return counts


def _rotate_model(state, model_name: str, specs, old: FieldCipher, new: FieldCipher, batch_size: int,
                  pause: float, report) -> int:
    from bangfu.keyring.models import FieldKeyState

    model = apps.get_model(model_name)
    fields = [name for spec in specs for name in (spec.cipher_field, spec.digest_field) if name]
    last = int(state.rotation_progress.get(model_name, 0))
    rotated = 0
    while True:
        with transaction.atomic():
            rows = list(model.objects.select_for_update().filter(pk__gt=last).order_by("pk")[:batch_size])
            if not rows:
                return rotated
            for row in rows:
                for spec in specs:
                    _rotate_value(row, spec, old, new)
            model.objects.bulk_update(rows, fields)
            last = rows[-1].pk
            state.rotation_progress[model_name] = last
            FieldKeyState.objects.filter(pk=state.pk).update(rotation_progress=state.rotation_progress)
        rotated += len(rows)
        report(f"{model._meta.verbose_name}：已重新加密 {rotated} 条（至编号 {last}）")
        if pause:
            time.sleep(pause)


def _rotate_value(row, spec, old: FieldCipher, new: FieldCipher) -> None:
    token = getattr(row, spec.cipher_field)
    if not token:
        return
    try:
        plaintext = old.decrypt(spec.kind, token)
    except InvalidTag:
        plaintext = new.decrypt(spec.kind, token)  # already under the new key; anything else is an error
    setattr(row, spec.cipher_field, new.encrypt(spec.kind, plaintext))
    if spec.digest_field and spec.digest:
        with using_cipher(new):
            setattr(row, spec.digest_field, spec.digest(row, plaintext))
