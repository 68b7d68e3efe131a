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
POLL_SECONDS = 0.5


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
        self.owner = os.getpid()  # gunicorn forks its web workers from this process: only the owner stops it
        self.thread = threading.Thread(target=self._loop, name="bangfu-worker-supervisor", daemon=True)

    def start(self) -> "WorkerSupervisor":
        self.thread.start()
        return self

    def _loop(self) -> None:
        backoff = 0.0
        while not self.stopping.is_set():
            started = time.monotonic()
            try:
                # Its own session: Ctrl+C in the terminal reaches the server, which stops the worker itself (a
                # worker interrupted alongside would only be restarted for the moment before the server exits).
                self.process = subprocess.Popen(self.command, env=os.environ.copy(),
                                                start_new_session=sys.platform != "win32")
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
        # Polled, not one blocking wait: beside gunicorn's arbiter (which reaps every child with waitpid(-1)) a
        # blocking wait was seen to sleep on through a killed worker's death, one kill in three, and the worker
        # was never started again; each poll reaps a dead worker or learns the arbiter already did.
        while True:
            try:
                return self.process.wait(timeout=POLL_SECONDS)
            except subprocess.TimeoutExpired:
                continue
            except ChildProcessError:  # gunicorn's arbiter reaped it first (it waits for every child)
                return None

    def stop(self, timeout: float = 30) -> None:
        """Stop the worker (it finishes the job it runs, within `timeout`) and stop restarting it."""
        if os.getpid() != self.owner:  # a forked web worker leaving through the server's `finally`
            return
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
