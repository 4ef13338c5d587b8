"""The session's side of two-factor login.

The password step is Django's log-in view, unchanged: it signs the user in. At that moment
(`login_started`, from the `user_logged_in` signal) the session is told what is still owed: a code,
if the user has an authenticator, or an enrolment, if their role requires a second factor and they
have none. Until it is paid, `middleware.SecondFactorMiddleware` lets the session reach only the page that asks
for it, the log-out and the language switch. The flags live in the session, so a request of a user
who owes nothing costs no query. A session is verified once django_otp's `login` has recorded the
device that accepted a code (`request.user.is_verified()`, from django_otp's `OTPMiddleware`).
"""

import base64
import logging
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login

from . import selectors, services

logger = logging.getLogger("mpf.security")

CODE_OWED = "accounts_second_factor_owed"  # the user has an authenticator: the code is asked for
ENROLMENT_OWED = "accounts_enrolment_owed"  # the role requires a second factor and there is none
FAILURES = "accounts_second_factor_failures"  # wrong codes in a row in this session


def login_started(request, user) -> None:
    """After the password: what this session owes before the portal opens."""
    session = request.session
    for key in (DEVICE_ID_SESSION_KEY, CODE_OWED, ENROLMENT_OWED, FAILURES):
        session.pop(key, None)
    if selectors.user_has_second_factor(user=user):
        session[CODE_OWED] = True
    elif selectors.second_factor_required(user=user):
        session[ENROLMENT_OWED] = True


def forget_owed(request) -> None:
    for key in (CODE_OWED, ENROLMENT_OWED, FAILURES):
        request.session.pop(key, None)


def mark_verified(request, device) -> None:
    """The session is verified by `device`; it gets a new key, as at any change of privilege."""
    otp_login(request, device)
    forget_owed(request)
    previous_key = request.session.session_key
    request.session.cycle_key()
    services.user_session_renew(user=request.user, old_key=previous_key, new_key=request.session.session_key)


def failure_counted(request) -> bool:
    """Counts a wrong code; True when that was one too many and the half-done login must be dropped."""
    failures = request.session.get(FAILURES, 0) + 1
    request.session[FAILURES] = failures
    if failures < settings.MFA_CODE_FAILURE_LIMIT:
        return False
    # audit: second step of a login given up after too many wrong codes
    logger.warning("Login of user %s dropped after %s wrong second-factor codes", request.user.pk, failures)
    return True


def safe_next(request, default: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(default)


def with_next(url_name: str, target: str | None) -> str:
    url = reverse(url_name)
    return f"{url}?{urlencode({'next': target})}" if target else url


def always_open(path: str) -> bool:
    return path.startswith(settings.STATIC_URL) or path in {reverse("logout"), reverse("set_language"), "/healthz"}


def provisioning_svg(device) -> str:
    """The otpauth:// address of the device as an inline SVG QR code (no image service involved)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=20)
    return image.to_string(encoding="unicode")


def secret_for_typing(device) -> str:
    """The key in base32, in groups of four, for an app into which it is typed rather than scanned."""
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))
