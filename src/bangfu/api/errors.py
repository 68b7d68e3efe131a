"""What any call may answer besides its result: a refusal as JSON with a message in the caller's language."""

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import Schema

DOCS_PAGES = ("/api/v1/docs",)  # HTML for people; every other answer under /api/ is JSON


class ErrorOut(Schema):
    """A refusal: the reason, in the caller's language (bad input, not logged in, no right, not found)."""

    detail: str


class ValidationErrorOut(Schema):
    """Parameters of the wrong type or out of range: one entry per parameter (where, what, why)."""

    detail: list[dict]



# What any call may answer besides its result, documented so clients (and the schema tests) know them: 400 a
# parameter with a control character (web.middleware.BadInputMiddleware), 401 not logged in, 403 a role without
# the right, 422 a parameter of the wrong type or range.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut}


@csrf_exempt  # a write to no operation is told so, not refused for its missing CSRF token in an English HTML page
def api_not_found(request):
    """A path under /api/v1/ that names no operation (the bare /api/v1/ too): JSON like every other answer of the
    API, not the HTML page."""
    return _json(_("没有这个接口：%(path)s（见 /api/v1/docs）") % {"path": request.path}, 404)


def csrf_refused() -> str:
    return _("拒绝访问：浏览器会话的提交须带 CSRF 校验，系统对接请使用接口令牌（Authorization: Bearer …）")


def _json(message: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status, json_dumps_params={"ensure_ascii": False})


class ApiJsonErrorsMiddleware:
    """Whatever refuses a call under /api/ answers in JSON with a message in the caller's language, as the schema
    says, even when the refusal comes from outside the API's own handlers: the CSRF check on a browser session's
    write (Django's English HTML page), a method the path does not take (django-ninja's plain-text 405), Django's
    404 page. Left alone: JSON answers, successes and redirects, and the docs page (HTML for people)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (not request.path.startswith("/api/") or response.status_code < 400 or request.path in DOCS_PAGES
                or response.get("Content-Type", "").startswith("application/json")):
            return response
        status = response.status_code
        if status == 405:
            message = _("该接口不接受 %(method)s 请求（可用：%(allowed)s）") % {
                "method": request.method, "allowed": response.get("Allow", "")}
        elif status == 403:
            message = csrf_refused()
        elif status == 404:
            message = _("没有这个接口：%(path)s（见 /api/v1/docs）") % {"path": request.path}
        else:
            message = _("请求未能处理（HTTP %(status)s）") % {"status": status}
        answer = _json(message, status)
        if "Allow" in response:
            answer["Allow"] = response["Allow"]
        return answer


# A parameter of the wrong type or range (422): pydantic's rule, said in the caller's language, naming the
# parameter ("limit：应不小于 1"); a rule not listed keeps pydantic's own words.
PARAMETER_RULES = {
    "missing": lambda ctx: _("必填"),
    "int_parsing": lambda ctx: _("应为整数"),
    "int_type": lambda ctx: _("应为整数"),
    "int_from_float": lambda ctx: _("应为整数"),
    "greater_than_equal": lambda ctx: _("应不小于 %(ge)s") % ctx,
    "less_than_equal": lambda ctx: _("应不大于 %(le)s") % ctx,
    "greater_than": lambda ctx: _("应大于 %(gt)s") % ctx,
    "less_than": lambda ctx: _("应小于 %(lt)s") % ctx,
    "string_too_long": lambda ctx: _("不能超过 %(max_length)s 个字符") % ctx,
    "string_too_short": lambda ctx: _("至少 %(min_length)s 个字符") % ctx,
    "date_parsing": lambda ctx: _("应为日期（YYYY-MM-DD）"),
    "date_from_datetime_parsing": lambda ctx: _("应为日期（YYYY-MM-DD）"),
    "date_type": lambda ctx: _("应为日期（YYYY-MM-DD）"),
    "bool_parsing": lambda ctx: _("应为 true 或 false"),
}


def parameter_problem(error: dict) -> dict:
    """One entry of a 422: where (`loc`), the rule (`type`) and a message naming the parameter (`msg`)."""
    loc = list(error.get("loc") or ())
    name = ".".join(str(part) for part in loc[1:]) or ".".join(str(part) for part in loc)
    rule = error.get("type", "")
    say = PARAMETER_RULES.get(rule)
    try:
        message = say(error.get("ctx") or {}) if say else error.get("msg", "")
    except (KeyError, TypeError):
        message = error.get("msg", "")
    return {"type": rule, "loc": loc, "msg": f"{name}：{message}" if name else message}


def validation_message(error: ValidationError) -> str:
    """A service's ValidationError as one line naming each field: 字段：规则；……"""
    if hasattr(error, "message_dict"):
        return "；".join(f"{field}：{'，'.join(messages)}" if field != "__all__" else "，".join(messages)
                        for field, messages in error.message_dict.items())
    return "；".join(error.messages)
