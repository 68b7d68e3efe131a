import re

from bangfu.audit.context import reset_request_id, set_request_id

# What a caller may send as X-Request-Id to tie its calls to our history: a UUID or a similar short token.
# Anything else (too long, odd characters) is ignored and the request gets its own id, never stored verbatim.
REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,35}$")


def request_id_from(header: str | None) -> str | None:
    return header if header and REQUEST_ID_PATTERN.fullmatch(header) else None


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_request_id(request_id_from(request.headers.get("X-Request-Id")))
        try:
            return self.get_response(request)
        finally:
            reset_request_id(token)
