"""Sessions end after a while without activity (BANGFU_SESSION_IDLE_MINUTES), as well as after a working day."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.translation import gettext as _

SESSION_KEY = "bangfu_last_seen"
# The time of the last request is written at most once a minute, not on every request.
WRITE_EVERY_SECONDS = 60


class IdleSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(SESSION_KEY)
            if isinstance(last_seen, int) and now - last_seen > settings.SESSION_IDLE_SECONDS:
                logout(request)
                messages.info(request, _("长时间未操作，已自动退出，请重新登录。"))
            elif not isinstance(last_seen, int) or now - last_seen >= WRITE_EVERY_SECONDS:
                request.session[SESSION_KEY] = now
        return self.get_response(request)


@receiver(user_logged_in)
def _start_idle_clock(sender, request, user, **kwargs):
    # Start the clock with the session, so the first pages after login do not each write the session.
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = int(time.time())
