from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the site with waitress (production-grade, pure Python)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, host, port, threads, **options):
        from django.conf import settings
        from waitress import serve

        from bangfu.wsgi import application

        proxy = {}
        if settings.TRUSTED_PROXY:
            # Only this address may tell us the client's address and scheme (login throttles count by address).
            proxy = {"trusted_proxy": settings.TRUSTED_PROXY, "trusted_proxy_count": 1,
                     "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
                     "clear_untrusted_proxy_headers": True}
        self.stdout.write(f"bangfu 正在运行：http://{host}:{port}/  （Ctrl+C 停止）")
        serve(application, host=host, port=port, threads=threads, **proxy)
