"""Secrets kept beside the data: created once, the same for every process that starts at the same moment."""

import base64
import threading

import pytest

from bangfu.core.keys import (
    KeyFileCorrupt,
    KeyFileMissing,
    field_master_key,
    field_master_key_create,
    local_secret,
)


def test_master_key_is_created_once_and_kept(tmp_path):
    path = tmp_path / "var" / "field-key.txt"
    with pytest.raises(KeyFileMissing, match="不存在"):
        field_master_key(path)  # reading never creates: only an empty database gets a new key (keyring)
    assert not path.exists()
    key = field_master_key_create(path)
    assert len(key) == 32
    assert field_master_key(path) == key
    assert base64.b64decode(path.read_text(encoding="ascii").strip()) == key
    assert path.stat().st_mode & 0o777 == 0o600


def test_local_secret_is_stable(tmp_path):
    path = tmp_path / "secret.txt"
    assert local_secret(path) == local_secret(path)
    assert len(local_secret(path)) >= 50


def test_bad_key_file_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "field-key.txt"
    path.write_text(base64.b64encode(b"short").decode(), encoding="ascii")
    with pytest.raises(KeyFileCorrupt, match="32 字节") as refused:
        field_master_key(path)
    assert str(path) in refused.value.message
    path.write_text("not base64 at all!", encoding="ascii")
    with pytest.raises(KeyFileCorrupt):
        field_master_key(path)


def test_processes_starting_together_get_the_same_key(tmp_path):
    """Server and worker starting at once on a fresh install: neither may read a half-written key file."""
    for attempt in range(40):
        path = tmp_path / f"key-{attempt}.txt"
        barrier = threading.Barrier(6)
        results, errors = [], []

        def start(path=path, barrier=barrier, results=results, errors=errors):
            barrier.wait()
            try:
                results.append(field_master_key_create(path))
            except Exception as error:  # any failure is the finding
                errors.append(error)

        threads = [threading.Thread(target=start) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors, errors
        assert len(set(results)) == 1 and len(results[0]) == 32
