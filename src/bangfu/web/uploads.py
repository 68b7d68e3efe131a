"""One size limit for every upload (household ledgers, department files, evidence files), checked while the body
arrives rather than after it is stored: Django's DATA_UPLOAD_MAX_MEMORY_SIZE covers form fields, not files.

- `UploadLimitMiddleware` (before CSRF, which would read the body first) answers 413 with a Chinese page at once
  when the declared Content-Length is past the limit, and otherwise has the body parsed under
  `SizeLimitUploadHandler`, which counts the file bytes as they stream and stops past BANGFU_UPLOAD_MAX_MB.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.shortcuts import render

FORM_ALLOWANCE = 2**20  # the form's other fields and the multipart boundaries, on top of the files


class UploadTooLarge(Exception):
    """The upload went past settings.UPLOAD_MAX_BYTES."""


class SizeLimitUploadHandler(FileUploadHandler):
    """First of the upload handlers: counts the bytes of every file of a request and stops past the limit."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.received = 0
        if content_length and content_length > settings.UPLOAD_MAX_BYTES + FORM_ALLOWANCE:
            raise UploadTooLarge

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:
            raise UploadTooLarge
        return raw_data

    def file_complete(self, file_size):
        return None


def too_large(request):
    """The 413 page: in Chinese, naming the limit and what to do."""
    return render(request, "413.html", {"limit_mb": settings.UPLOAD_MAX_BYTES // 2**20}, status=413)


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("POST", "PUT", "PATCH"):
            length = request.META.get("CONTENT_LENGTH") or ""
            if length.isdigit() and int(length) > settings.UPLOAD_MAX_BYTES + FORM_ALLOWANCE:
                return too_large(request)
            if request.content_type == "multipart/form-data":
                try:
                    request.POST  # noqa: B018 - parsed here under the counting handler, before any view
                    request.FILES  # noqa: B018
                except UploadTooLarge:
                    return too_large(request)
        return self.get_response(request)
