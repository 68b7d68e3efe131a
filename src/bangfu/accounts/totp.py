"""Time-based one-time codes (RFC 6238, pyotp): the optional second login step for administrators.

The shared secret is stored encrypted with the field key (kind "totp", re-encrypted by `bangfu rotate-key` like
ID numbers) and never shown again after setup. A code is accepted for the current 30-second step and one step
either side (clocks drift), and each step only once (User.totp_last_step), so a code seen over a shoulder or
replayed from a log is refused.
"""

import datetime as dt
import hmac

import pyotp
import segno
from django.utils import timezone

from bangfu.core.crypto import field_cipher

ISSUER = "bangfu"
KIND = "totp"
WINDOW = 1  # steps either side of now


def _now() -> dt.datetime:
    return timezone.now()


def totp_secret_new() -> str:
    return pyotp.random_base32()  # 32 base32 characters: 160 bits, as RFC 4226 recommends


def totp_secret_seal(secret: str) -> str:
    return field_cipher().encrypt(KIND, secret)


def totp_secret_open(token: str) -> str:
    return field_cipher().decrypt(KIND, token)


def totp_uri(secret: str, username: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def totp_qr_svg(uri: str) -> str:
    """The QR code as an inline <svg> element, rendered here: no script, nothing fetched."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff",
                                                 title="otpauth QR")


def totp_matching_step(secret: str, code: str, *, after_step: int = 0, at: dt.datetime | None = None) -> int | None:
    """The time step (within WINDOW of `at`) whose code is `code` and that is later than `after_step`, or None."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(at or _now())
    for step in range(now_step - WINDOW, now_step + WINDOW + 1):
        if step > after_step and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None
