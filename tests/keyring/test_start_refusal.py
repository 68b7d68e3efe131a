"""Start the server, the worker and a command with a missing, a corrupt and a foreign key: each refuses with a
Chinese message naming the file, and nothing is written (the database file and the key file stay as they were).
Runs the installed `bangfu` in subprocesses against a throw-away SQLite database."""

import base64
import hashlib
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

STARTS = {
    "command": ["-m", "bangfu.cli", "migrate"],
    "worker": ["-m", "bangfu.cli", "worker", "--batch", "--no-startup-delay"],
    "server": ["-c", "import bangfu.wsgi"],  # what `bangfu serve` and any WSGI server load first
}


@pytest.fixture(scope="module")
def installation(tmp_path_factory, migrated_sqlite):
    var = tmp_path_factory.mktemp("var")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "BANGFU_TASK_BACKEND"}}
    env.update(BANGFU_VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="bangfu.settings")
    migrated_sqlite(var)
    for args in (["build-demo", "--people", "200"],):
        result = subprocess.run([sys.executable, "-m", "bangfu.cli", *args], env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr[-2000:]
    return var, env


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


@pytest.mark.parametrize("start", sorted(STARTS))
@pytest.mark.parametrize("fault", ["missing", "corrupt", "foreign"])
def test_refuses_to_start_and_writes_nothing(installation, start, fault):
    var, env = installation
    key = var / "field-key.txt"
    good = key.read_bytes()
    try:
        if fault == "missing":
            key.unlink()
        elif fault == "corrupt":
            key.write_text("这不是密钥", encoding="utf-8")
        else:
            key.write_text(base64.b64encode(os.urandom(32)).decode(), encoding="ascii")
        key_before, database_before = _digest(key), _digest(var / "bangfu.sqlite3")
        result = subprocess.run([sys.executable, *STARTS[start]], env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode != 0
        message = result.stderr.strip().splitlines()[-1]
        assert str(key) in message and "未做任何写入" in message, result.stderr[-1500:]
        assert {"missing": "不存在", "corrupt": "无法读取", "foreign": "不匹配"}[fault] in message or (
            fault == "corrupt" and "内容无效" in message)
        assert _digest(key) == key_before and _digest(var / "bangfu.sqlite3") == database_before
    finally:
        key.write_bytes(good)
    ok = subprocess.run([sys.executable, "-m", "bangfu.cli", "showmigrations", "keyring"], env=env,
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr[-1500:]
