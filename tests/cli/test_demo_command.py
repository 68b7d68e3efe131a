"""`bangfu demo`: migrate, build the county if absent, start the server (which keeps a worker running), in demo
mode."""

import pytest

from bangfu import cli


def test_demo_runs_the_steps_in_demo_mode(monkeypatch, settings):
    settings.DEMO_MODE = False
    monkeypatch.setenv("BANGFU_DEMO", "0")  # restored after the test: demo() sets it for the worker
    calls = []
    monkeypatch.setattr("django.core.management.call_command", lambda name, **kw: calls.append((name, kw)))
    cli.demo(["--people", "500"])
    assert [name for name, _ in calls] == ["migrate", "build_demo", "serve"]
    assert calls[1][1] == {"if_missing": True, "people": 500}
    assert calls[2][1] == {}  # serve starts and supervises the worker (not --no-worker)
    assert settings.DEMO_MODE is True
    assert __import__("os").environ["BANGFU_DEMO"] == "1"  # inherited by the worker serve starts


def test_demo_with_a_bad_people_value_says_how_to_call_it(monkeypatch, settings):
    monkeypatch.setenv("BANGFU_DEMO", "0")
    monkeypatch.setattr("django.core.management.call_command", lambda name, **kw: None)
    with pytest.raises(SystemExit, match="--people 66000"):
        cli.demo(["--people"])
