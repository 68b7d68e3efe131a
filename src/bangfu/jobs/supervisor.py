"""Keep a `bangfu worker` running beside the web server (`bangfu serve`, `bangfu demo`).

A thread starts the worker as a child process and starts it again when it exits, waiting 1, 2, 4 … up to 60
seconds between starts while it keeps dying at once (a worker that ran 10 seconds or more starts again after 1
second).
The job a killed worker was running is failed by the new worker as it starts (jobs_reap_dead) and not run again:
its task is left claimed, so no job that kills its worker is retried in a loop. Production may run the worker as
its own service instead (docs/operations.md) and start the server with --no-worker.
"""

import logging
import os
import subprocess
import sys
import threading
import time

log = logging.getLogger(__name__)

BACKOFF_FIRST, BACKOFF_MAX, HEALTHY_AFTER = 1.0, 60.0, 10.0


def next_backoff(previous: float, ran_for: float) -> float:
    """How long to wait before starting again a worker that ran `ran_for` seconds."""
    if ran_for >= HEALTHY_AFTER:
        return BACKOFF_FIRST
    return min(BACKOFF_MAX, previous * 2) if previous else BACKOFF_FIRST


class WorkerSupervisor:
    def __init__(self, command: list[str] | None = None):
        self.command = command or [sys.executable, "-m", "bangfu.cli", "worker"]
        self.stopping = threading.Event()
        self.process: subprocess.Popen | None = None
        self.starts = 0
        self.thread = threading.Thread(target=self._loop, name="bangfu-worker-supervisor", daemon=True)

    def start(self) -> "WorkerSupervisor":
        self.thread.start()
        return self

    def _loop(self) -> None:
        backoff = 0.0
        while not self.stopping.is_set():
            started = time.monotonic()
            try:
                self.process = subprocess.Popen(self.command, env=os.environ.copy())
            except OSError as error:
                log.error("后台任务进程无法启动：%s", error)
                code = None
            else:
                self.starts += 1
                code = self._wait()
            if self.stopping.is_set():
                return
            backoff = next_backoff(backoff, time.monotonic() - started)
            print(f"bangfu: 后台任务进程已退出（退出码 {code}），{backoff:.0f} 秒后重新启动", file=sys.stderr, flush=True)
            self.stopping.wait(backoff)

    def _wait(self) -> int | None:
        try:
            return self.process.wait()
        except ChildProcessError:  # gunicorn's arbiter reaped it first (it waits for every child)
            return None

    def stop(self, timeout: float = 30) -> None:
        """Stop the worker (it finishes the job it runs, within `timeout`) and stop restarting it."""
        self.stopping.set()
        process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
            except ChildProcessError:
                pass
        self.thread.join(timeout=5)
