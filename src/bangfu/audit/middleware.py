from bangfu.audit.context import reset_request_id, set_request_id


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_request_id(request.headers.get("X-Request-Id"))
        try:
            return self.get_response(request)
        finally:
            reset_request_id(token)
