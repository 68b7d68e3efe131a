"""The real processes: `bangfu serve` keeps a worker running — kill -9 it and a new one starts, and /healthz says
so in between — and every command refuses to start, in one line, on a database it cannot reach or a schema behind
the code. Subprocesses against a throw-away SQLite file, or a throw-away PostgreSQL database when the tests run on
PostgreSQL (DATABASE_URL)."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

import pytest

pytestmark = pytest.mark.slow


def _subprocess_env(var_dir) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "BANGFU_TASK_BACKEND"}}
    env.update(BANGFU_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="bangfu.settings",
               BANGFU_JOB_HEARTBEAT_SECONDS="1", BANGFU_JOB_DEAD_AFTER_SECONDS="2", BANGFU_WEB_WORKERS="1",
               BANGFU_WEB_THREADS="2")
    return env


def _postgres(sql: str) -> None:
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1),
                         autocommit=True) as db:
        db.execute(sql)


def _url(name: str) -> str:
    return os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + name


@pytest.fixture
def env(tmp_path):
    """A fresh database of the tests' kind for the subprocesses, with a one-second heartbeat."""
    env = _subprocess_env(tmp_path)
    if not os.environ.get("DATABASE_URL"):
        yield env
        return
    name = f"bangfu_sup_{uuid.uuid4().hex[:8]}"
    _postgres(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = _url(name)
    try:
        yield env
    finally:
        _postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    """One migrated database (and its var folder: the field key belongs to it) per test process, copied for each
    test that needs one. A full `migrate` of a fresh database is the slowest step here (28-89 s measured at load
    10-18, over 120 s at load 20): run in every test, under the per-command time limit, it made the tests fail on
    a loaded machine for reasons that have nothing to do with what they test."""
    var_dir = tmp_path_factory.mktemp("migrated")
    env = _subprocess_env(var_dir)
    name = None
    if os.environ.get("DATABASE_URL"):
        name = f"bangfu_suptpl_{uuid.uuid4().hex[:8]}"
        _postgres(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = _url(name)
    try:
        _bangfu(env, "migrate", "-v0", timeout=1200)  # setup, not what is tested: as long as the machine needs
        yield var_dir, name
    finally:
        if name:
            _postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def migrated_env(env, migrated_template):
    """`env` with a copy of the migrated database (SQLite: the file; PostgreSQL: CREATE DATABASE … TEMPLATE)."""
    var_dir, template = migrated_template
    shutil.copytree(var_dir, env["BANGFU_VAR_DIR"], dirs_exist_ok=True)
    if template:
        name = env["DATABASE_URL"].rsplit("/", 1)[1]
        _postgres(f'DROP DATABASE "{name}" WITH (FORCE)')
        _postgres(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return env


def _bangfu(env, *args, expect=0, timeout=120):
    result = subprocess.run([sys.executable, "-m", "bangfu.cli", *args], env=env, text=True, capture_output=True,
                            timeout=timeout)
    assert result.returncode == expect, result.stderr[-2000:]
    return result


def _serve(env, *args, **popen) -> tuple[subprocess.Popen, int]:
    """Start `bangfu serve` on a listening socket the test opens and hands over (--fd): the port is the server's
    from the start. A port merely found free and bound by the server seconds later (after Django has loaded, slow
    on a loaded machine) may be taken meanwhile by another process; gunicorn then gives up after five tries and
    exits, and the test waited out its 60 seconds for a server that was gone."""
    with socket.socket() as sock:  # the test's copy closes at once: the server holds the socket alone
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        server = subprocess.Popen([sys.executable, "-m", "bangfu.cli", "serve", "--fd", str(sock.fileno()), *args],
                                  env=env, pass_fds=(sock.fileno(),), stdout=subprocess.DEVNULL, text=True, **popen)
        return server, sock.getsockname()[1]


def _health(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
    except OSError:
        return None, None


def _workers(server_pid: int) -> list[int]:
    """The server's children that run `bangfu worker` (gunicorn's web workers are children too)."""
    result = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(server_pid)], capture_output=True, text=True)
    return [int(line.split()[0]) for line in result.stdout.splitlines() if line.split()[-1] == "worker"]


def _until(condition, seconds: float, step: float = 0.1, *, server: subprocess.Popen | None = None):
    """`condition()`'s first true value within `seconds`, else None; a server that exits meanwhile fails the test
    at once, with its exit code (not after the wait)."""
    limit = time.time() + seconds
    while time.time() < limit:
        if server is not None and server.poll() is not None:
            raise AssertionError(f"the server exited ({server.returncode})")
        value = condition()
        if value:
            return value
        time.sleep(step)
    return None


def _drained(stream) -> tuple[list[str], threading.Thread]:
    """Read a child's stderr as it comes, into a list: a pipe nobody reads fills (64 KB of log lines) and then
    blocks every writer, the server's worker supervisor among them."""
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(stream.readline, "")), daemon=True)
    reader.start()
    return lines, reader


def test_serve_restarts_a_killed_worker_and_healthz_says_so(migrated_env):
    env = migrated_env
    server, port = _serve(env, stderr=subprocess.PIPE, start_new_session=True)
    lines, reader = _drained(server.stderr)
    try:
        first = _until(lambda: _health(port)[0] == 200 and _workers(server.pid), 60, server=server)
        assert first, ("no worker beat", _health(port))
        status, body = _health(port)
        assert body["worker"]["running"] is True and body["database"] is True
        os.kill(first[0], signal.SIGKILL)
        killed_at = time.time()
        seen = []

        def restarted():
            status, body = _health(port)
            seen.append(status)
            workers = _workers(server.pid)
            return status == 200 and workers and workers != first and body["worker"]["last_heartbeat"]

        assert _until(restarted, 60, server=server), ("not restarted", seen[-5:], "".join(lines)[-3000:])
        assert 503 in seen  # the killed worker's process is gone: no live heartbeat until the new one's first
        assert time.time() - killed_at < 30
        assert body["worker"]["last_heartbeat"] < _health(port)[1]["worker"]["last_heartbeat"]
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGINT)  # Ctrl+C in its terminal: the server and its web workers get it
        server.wait(timeout=60)
        reader.join(timeout=30)
    errors = "".join(lines)
    # Restarted once, for the kill: stopping the server (whose forked web workers leave through its code too) is
    # no death of the worker to restart it for.
    assert errors.count("秒后重新启动") == 1, errors
    assert "后台任务进程已退出" in errors
    assert not _workers(server.pid)  # stopping the server stops its worker


def test_healthz_503_when_the_database_goes_away(request, tmp_path):
    if os.environ.get("DATABASE_URL"):
        pytest.skip("the SQLite file can be taken away under a running server; a PostgreSQL server cannot here")
    env = request.getfixturevalue("migrated_env")
    server, port = _serve(env, "--no-worker", stderr=subprocess.DEVNULL)
    try:
        assert _until(lambda: _health(port)[0] == 503, 60, server=server)  # up, no worker (--no-worker)
        status, body = _health(port)
        assert body["database"] is True and body["worker"]["running"] is False
        os.rename(tmp_path / "bangfu.sqlite3", tmp_path / "elsewhere.sqlite3")
        status, body = _health(port)
        assert status == 503 and body["database"] is False and body["ok"] is False
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)


@pytest.mark.parametrize("command", [["worker"], ["serve"], ["prune-jobs"], ["export", "households", "--out",
                                                                              "x.xlsx"]])
def test_every_command_refuses_an_unreachable_database_in_one_line(env, command):
    env = {**env, "DATABASE_URL": "postgres://postgres@127.0.0.1:5439/bangfu"}  # nothing listens on 5439
    result = _bangfu(env, *command, expect=2)
    assert result.stderr.strip() == "无法连接数据库 127.0.0.1:5439：连接被拒绝；请检查 DATABASE_URL"
    assert result.stdout == ""


def test_every_command_refuses_a_schema_behind_the_code(migrated_env):
    env = migrated_env
    _bangfu(env, "migrate", "jobs", "0002", "-v0")  # one migration behind
    for command in (["worker"], ["serve"], ["prune-jobs"]):
        result = _bangfu(env, *command, expect=2)
        assert result.stderr.strip() == "数据库结构落后于程序：请先运行 bangfu migrate", command
    _bangfu(env, "migrate", "-v0")
    assert "已清理" in _bangfu(env, "prune-jobs").stdout  # control: at the code's schema it runs
