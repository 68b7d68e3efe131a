"""`bangfu serve`: the web server as production runs it.

On Linux and macOS: gunicorn with several worker processes (BANGFU_WEB_WORKERS, default one per core), each
with a few threads, so pages render on every core at once; a Python process renders on one core at a time.
On Windows (no fork, so no gunicorn): waitress, one process with threads. See docs/operations.md for sizing.
Beside the web server it keeps a background worker running (jobs.supervisor), unless --no-worker.
Behind a front web server (BANGFU_TRUSTED_PROXY) both take the client's address and scheme from that server only.
"""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand


def gunicorn_available() -> bool:
    if sys.platform == "win32":
        return False
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return False
    return True


class Command(BaseCommand):
    help = "Serve the site: gunicorn worker processes where the platform allows, waitress otherwise."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=None,
                            help="worker processes (default BANGFU_WEB_WORKERS, one per core)")
        parser.add_argument("--threads", type=int, default=None,
                            help="threads per worker (default BANGFU_WEB_THREADS)")
        parser.add_argument("--fd", type=int, default=None,
                            help="serve on this inherited listening socket instead of binding --host/--port "
                                 "(a service manager's socket, or a test that holds its port from the start)")
        parser.add_argument("--server", choices=("auto", "gunicorn", "waitress"), default="auto")
        parser.add_argument("--no-worker", action="store_true",
                            help="do not start and supervise a background worker (it runs as its own service)")

    def handle(self, *args, no_worker, **options):
        from bangfu.jobs.health import worker_needed
        from bangfu.jobs.supervisor import WorkerSupervisor

        supervisor = WorkerSupervisor().start() if worker_needed() and not no_worker else None
        try:
            self._serve(**options)
        finally:
            if supervisor is not None:
                supervisor.stop()

    def _serve(self, *, host, port, workers, threads, server, fd=None, **options):
        workers = workers or settings.WEB_WORKERS
        threads = threads or settings.WEB_THREADS
        use_gunicorn = server == "gunicorn" or (server == "auto" and gunicorn_available())
        if use_gunicorn:
            if fd is not None:
                host, port = _address_of(fd)
            self.stdout.write(f"bangfu 正在运行：http://{host}:{port}/  （gunicorn，{workers} 个进程 × {threads} 线程；"
                              "Ctrl+C 停止）")
            self.stdout.flush()
            _run_gunicorn(bind=f"fd://{fd}" if fd is not None else f"{host}:{port}", workers=workers, threads=threads)
            return
        from waitress import serve

        from bangfu.wsgi import application

        proxy = {}
        if settings.TRUSTED_PROXY:
            # Only this address may tell us the client's address and scheme (login throttles count by address).
            proxy = {"trusted_proxy": settings.TRUSTED_PROXY, "trusted_proxy_count": 1,
                     "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
                     "clear_untrusted_proxy_headers": True}
        # One process: its threads share one interpreter, so give it the threads all workers would have had.
        where = {"host": host, "port": port}
        if fd is not None:
            import socket

            host, port = _address_of(fd)
            where = {"sockets": [socket.socket(fileno=fd)]}
        self.stdout.write(f"bangfu 正在运行：http://{host}:{port}/  （waitress，{workers * threads} 线程；Ctrl+C 停止）")
        serve(application, threads=workers * threads, **where, **proxy)


def behind_proxy(application, trusted_proxy: str):
    """What waitress's trusted_proxy does, for gunicorn: a request from the trusted front server gets the client
    address it forwarded (the last hop it added) and its scheme; anyone else's forwarding headers are dropped."""

    def app(environ, start_response):
        forwarded_for = environ.pop("HTTP_X_FORWARDED_FOR", "")
        forwarded_proto = environ.pop("HTTP_X_FORWARDED_PROTO", "")
        if trusted_proxy and environ.get("REMOTE_ADDR") == trusted_proxy:
            if forwarded_for.strip():
                environ["REMOTE_ADDR"] = forwarded_for.split(",")[-1].strip()
            if forwarded_proto.strip().lower() in {"http", "https"}:
                environ["wsgi.url_scheme"] = forwarded_proto.strip().lower()
        return application(environ, start_response)

    return app


def _address_of(fd: int) -> tuple[str, int]:
    """The address an inherited listening socket is bound to."""
    import os
    import socket

    with socket.socket(fileno=os.dup(fd)) as sock:  # a copy: closing it leaves the server's socket open
        host, port = sock.getsockname()[:2]
    return host, port


def _run_gunicorn(*, bind: str, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):
        def load_config(self):
            for key, value in {
                "bind": bind, "workers": workers, "threads": threads,
                "worker_class": "gthread" if threads > 1 else "sync",
                "timeout": 120,  # a large export page or a slow disk must not get a worker killed mid-request
                "graceful_timeout": 20, "accesslog": None, "errorlog": "-", "loglevel": "warning",
                # Forwarding headers are handled by behind_proxy (one rule for both servers), not by gunicorn.
                "forwarded_allow_ips": "", "secure_scheme_headers": {},
            }.items():
                self.cfg.set(key, value)

        def load(self):
            from bangfu.wsgi import application

            return behind_proxy(application, settings.TRUSTED_PROXY)

    Application().run()
