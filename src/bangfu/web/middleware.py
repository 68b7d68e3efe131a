from django.conf import settings
from django.utils import translation


class ChosenLanguageMiddleware:
    """Chinese unless the user chose another language (the set_language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; a county office PC with an
    English browser should still show the Chinese the county works in.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


def _has_control(text: str) -> bool:
    # The one rule for text (bangfu.core.text): NUL cannot be stored or compared by PostgreSQL, and no filter of
    # ours takes other control characters either.
    from bangfu.core.text import has_control

    return has_control(text)


class BadInputMiddleware:
    """Refuse, with a 400 naming the parameter, any query parameter holding a control character (NUL above all),
    and drop cookies that hold one: one guard for every filter on both databases, instead of one per view.
    Form fields are left to the forms, which name the field (bangfu.web.forms)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name in [name for name, value in request.COOKIES.items() if _has_control(name + value)]:
            del request.COOKIES[name]
        bad = self._bad_parameter(request)
        if bad is not None:
            from django.http import HttpResponseBadRequest
            from django.utils.translation import gettext

            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            with translation.override(chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE):
                message = gettext("请求参数“%(name)s”含有不允许的控制字符（如 NUL），已拒绝。") % {
                    "name": bad[:40].encode("unicode_escape").decode("ascii")}
            if request.path.startswith("/api/"):  # the API answers in JSON, as its schema says
                from django.http import JsonResponse

                return JsonResponse({"detail": message}, status=400, json_dumps_params={"ensure_ascii": False})
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _bad_parameter(request) -> str | None:
        for name, values in request.GET.lists():
            if _has_control(name) or any(_has_control(value) for value in values):
                return name
        return None


class PrivateResponseMiddleware:
    """Every answer the application itself makes (pages, fragments, reveals, API answers, downloads) may carry
    personal data: `Cache-Control: no-store` keeps it out of shared and browser caches. Static files are served
    before this by WhiteNoise and stay cacheable. The Content-Security-Policy allows only our own vendored
    scripts and styles, none inline, so an injected <script> would not run."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class DatabaseBusyMiddleware:
    """A write that waited the whole busy timeout for SQLite's lock (someone held it longer, e.g. a key rotation
    or a big import) gets 503 with a Chinese message and Retry-After, never the raw "database is locked"; the
    request's transaction has rolled back, so nothing was half-written. Logged for the operator."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        import logging

        from django.db import OperationalError
        from django.http import HttpResponse
        from django.utils.translation import gettext as _

        if not (isinstance(exception, OperationalError) and "database is locked" in str(exception)):
            return None
        logging.getLogger(__name__).error("database busy on %s %s: %s", request.method, request.path, exception)
        response = HttpResponse(_("系统繁忙：数据库正被其他操作占用，本次操作未保存。请稍后重试。"), status=503,
                                content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "10"
        return response
