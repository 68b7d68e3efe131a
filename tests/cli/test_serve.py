"""`bangfu serve`: several worker processes where the platform allows, waitress where it does not."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.core.management import call_command

from bangfu.web.management.commands import serve


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    """The server's web worker processes (not the background worker it supervises beside them)."""
    result = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(line.split()[0]) for line in result.stdout.splitlines() if line.split()[-1] != "worker"]


@pytest.mark.slow
@pytest.mark.skipif(not serve.gunicorn_available(), reason="gunicorn runs only where processes fork (not Windows)")
def test_serve_runs_worker_processes_that_answer(tmp_path, migrated_sqlite):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    env.update(BANGFU_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="bangfu.settings", BANGFU_WEB_WORKERS="3",
               BANGFU_WEB_THREADS="2")
    migrated_sqlite(tmp_path)  # a migrated database, or it refuses
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "bangfu.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        body = None
        for _ in range(150):  # until it answers and the worker it started beats
            try:
                body = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read())
                break
            except OSError:
                time.sleep(0.2)
        assert body is not None and body["ok"] is True and body["worker"]["running"] is True
        for _ in range(50):  # the workers may still be starting
            if len(_children(server.pid)) == 3:
                break
            time.sleep(0.2)
        assert len(_children(server.pid)) == 3
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert "gunicorn，3 个进程 × 2 线程" in output


@pytest.mark.django_db
def test_without_gunicorn_it_serves_with_waitress(monkeypatch, settings):
    calls = []
    monkeypatch.setattr(serve, "gunicorn_available", lambda: False)
    monkeypatch.setattr("waitress.serve", lambda app, **kwargs: calls.append(kwargs))
    settings.WEB_WORKERS, settings.WEB_THREADS = 2, 4
    call_command("serve", "--port", "8199")
    assert calls == [{"host": "127.0.0.1", "port": 8199, "threads": 8}]


@pytest.mark.django_db
def test_with_fd_it_serves_on_the_inherited_socket(monkeypatch, settings, capsys):
    """--fd: the socket given (its port in the banner), not a port bound by the server (waitress here; gunicorn gets
    fd://N, as tests/jobs/test_supervised_worker.py runs it)."""
    import socket

    calls = []
    monkeypatch.setattr(serve, "gunicorn_available", lambda: False)
    monkeypatch.setattr("waitress.serve", lambda app, **kwargs: calls.append(kwargs))
    settings.WEB_WORKERS, settings.WEB_THREADS = 1, 2
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        call_command("serve", "--fd", str(sock.fileno()))
        (kwargs,) = calls
        assert set(kwargs) == {"sockets", "threads"} and kwargs["sockets"][0].fileno() == sock.fileno()
        assert f"http://127.0.0.1:{port}/" in capsys.readouterr().out
        kwargs["sockets"][0].detach()  # the test's socket: closed once, by the `with`


def test_gunicorn_takes_the_client_address_only_from_the_trusted_proxy():
    seen = []
    app = serve.behind_proxy(lambda environ, start_response: seen.append(
        (environ["REMOTE_ADDR"], environ["wsgi.url_scheme"], "HTTP_X_FORWARDED_FOR" in environ)), "10.0.0.5")
    forwarded = {"HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9", "HTTP_X_FORWARDED_PROTO": "https",
                 "wsgi.url_scheme": "http"}
    app({"REMOTE_ADDR": "10.0.0.5", **forwarded}, None)
    app({"REMOTE_ADDR": "198.51.100.7", **forwarded}, None)
    assert seen == [("203.0.113.9", "https", False), ("198.51.100.7", "http", False)]
