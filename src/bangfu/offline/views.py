"""我的村: the app shell (no data in the page itself), the phone's copy and key, and the one door for what the phone
recorded offline. The copy and the key are JSON answers for the page's script; the sync answer names what
happened (recorded, refused with the online form's messages, or both versions of a record changed meanwhile)."""

import functools
import hashlib
import json
from pathlib import Path

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from bangfu.offline.selectors import offline_bundle_for
from bangfu.offline.services import (
    FormRefused,
    OfflineConflict,
    offline_key_discard,
    offline_key_get,
    offline_submission_receive,
    offline_village,
)

# What the service worker keeps for use without signal: the shell's own files. Pages that need the server are
# answered by the worker with a plain "needs the network" page when there is none.
SHELL_ASSETS = ("bangfu/bangfu.css", "bangfu/site.js", "vendor/htmx/htmx.min.js", "offline/village.css",
                "offline/village.js", "offline/guard.js")


def _json_login_required(view):
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse({"status": "login", "message": _("登录已过期：请联网登录后再上传（待上传的记录仍在手机上）")},
                                status=401)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@login_required
def my_village(request):
    """The shell of 我的村: the script fills it from the phone's copy, online or not."""
    village = offline_village(request.user)
    return render(request, "offline/my_village.html", {"village": village})


@require_GET
@_json_login_required
def village_key(request):
    """The key the phone encrypts its copy with, and a fresh CSRF token for sending."""
    try:
        key = offline_key_get(actor=request.user)
    except PermissionDenied as error:
        return JsonResponse({"status": "forbidden", "message": str(error)}, status=403)
    return JsonResponse({"key": key, "csrf": get_token(request), "user": request.user.pk})


@require_GET
@_json_login_required
def village_bundle(request):
    """The copy of the user's village for the phone (masked: no ID number, no phone)."""
    bundle = offline_bundle_for(request.user)
    if not bundle:
        return JsonResponse({"status": "forbidden", "message": _("离线录入只供绑定到一个村的账号使用")}, status=403)
    return JsonResponse(bundle)


@require_POST
@_json_login_required
def village_sync(request):
    """One submission made on the phone: the same form, service and permission check as the online page."""
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        return JsonResponse({"status": "refused", "errors": {"__all__": {"label": "", "messages": [
            _("提交的内容无法读取")]}}}, status=400)
    try:
        received = offline_submission_receive(
            actor=request.user, key=body.get("key", ""), kind=body.get("kind", ""), made_at=body.get("made_at"),
            data=body.get("data") or {}, version=body.get("version"), latitude=body.get("latitude"),
            longitude=body.get("longitude"))
    except PermissionDenied as error:
        return JsonResponse({"status": "forbidden", "message": str(error) or _("您没有此项操作权限")}, status=403)
    except FormRefused as refused:
        return JsonResponse({"status": "refused", "errors": refused.errors}, status=422)
    except OfflineConflict as conflict:
        return JsonResponse({"status": "conflict", "message": conflict.message, "version": conflict.version,
                             "server": conflict.server, "mine": conflict.mine,
                             "choices": conflict.choices}, status=409)
    submission = received.submission
    return JsonResponse({
        "status": "recorded", "repeated": received.repeated, "kind": submission.get_kind_display(),
        "label": submission.object_label,
        "made_at": f"{timezone.localtime(submission.made_at):%Y-%m-%d %H:%M}",
        "received_at": f"{timezone.localtime(submission.received_at):%Y-%m-%d %H:%M}"})


@functools.lru_cache(maxsize=1)
def _shell_version() -> str:
    """A digest of the shell's files: a new release changes the worker's script, so phones fetch the new files
    (a cache-first worker would otherwise keep the old ones)."""
    digest = hashlib.sha256()
    for path in SHELL_ASSETS:
        found = finders.find(path)
        digest.update(Path(found).read_bytes() if found else path.encode())
    return digest.hexdigest()[:12]


@require_safe
def service_worker(request):
    """The service worker, from the site's root so it may serve 我的村 and answer other pages without signal."""
    response = render(request, "offline/sw.js", {
        "assets": [static(path) for path in SHELL_ASSETS], "shell": "/my-village/", "version": _shell_version(),
    }, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_safe
def manifest(request):
    data = {"name": _("帮扶监测系统 · 我的村"), "short_name": _("我的村"), "start_url": "/my-village/",
            "scope": "/", "display": "standalone", "background_color": "#ffffff", "theme_color": "#1f5f8b",
            "lang": "zh-CN", "icons": []}
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json")


class LogoutView(auth_views.LogoutView):
    """退出: the session ends, the phone's offline key is forgotten, and the browser is told to delete what this
    site stored (the copy, the queue, the cached shell: Clear-Site-Data)."""

    def post(self, request, *args, **kwargs):
        user = request.user if request.user.is_authenticated else None
        response = super().post(request, *args, **kwargs)
        if user is not None:
            offline_key_discard(user=user)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response
