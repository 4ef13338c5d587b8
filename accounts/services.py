"""Writes of accounts: the record of signed-in sessions, and ending them; second factors."""

import datetime
import logging
from importlib import import_module

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Kind as AuditKind
from audit.services import record

from .models import UserSession
from .selectors import user_sessions_active

logger = logging.getLogger("mpf.security")

SEEN_INTERVAL = datetime.timedelta(minutes=5)  # "last seen" is at most this far behind


def _end_sessions(keys: list[str]) -> None:
    """Deletes the sessions through the engine (so that a caching engine, if one is configured, forgets them too)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    for key in keys:
        store.delete(key)
    UserSession.objects.filter(session_key__in=keys).delete()


@transaction.atomic
def user_session_record(*, user, session_key: str, user_agent: str, ip_address: str | None) -> UserSession:
    """At login: this browser's session becomes one of the user's; rows of sessions that ended meanwhile go."""
    active = {row.session_key for row in user_sessions_active(user=user)}
    UserSession.objects.filter(user=user).exclude(session_key__in=active).delete()
    row, _ = UserSession.objects.update_or_create(
        session_key=session_key,
        defaults={"user": user, "last_seen": timezone.now(), "user_agent": user_agent[:300], "ip_address": ip_address},
    )
    return row


def user_session_forget(*, session_key: str) -> None:
    """At logout: the session is gone, so is its row."""
    UserSession.objects.filter(session_key=session_key).delete()


def user_session_renew(*, user, old_key: str | None, new_key: str) -> None:
    """The session got a new key (a password change cycles it): its row follows."""
    UserSession.objects.filter(user=user, session_key=old_key).update(session_key=new_key)


def user_session_seen(*, session_key: str) -> None:
    """Moves "last seen" on, at most once every SEEN_INTERVAL per session (the cache remembers when).

    A cache that fails costs only the update.
    """
    try:
        due = cache.add(f"accounts:seen:{session_key}", 1, int(SEEN_INTERVAL.total_seconds()))
    except Exception:  # noqa: BLE001 - a cache error is a miss, never an error page
        return
    if due:
        UserSession.objects.filter(session_key=session_key).update(last_seen=timezone.now())


@transaction.atomic
def user_session_end(*, session: UserSession) -> None:
    """Logs that browser out."""
    _end_sessions([session.session_key])
    logger.info("Session %s of user %s ended by its owner", session.pk, session.user_id)


@transaction.atomic
def user_sessions_end_others(*, user, keep_key: str | None) -> int:
    """Logs the user out everywhere but the browser with `keep_key`; gives how many sessions ended."""
    keys = list(
        UserSession.objects.filter(user=user).exclude(session_key=keep_key).values_list("session_key", flat=True)
    )
    _end_sessions(keys)
    logger.info("User %s ended %s other sessions", user.pk, len(keys))
    return len(keys)


def user_sessions_end_all(*, user) -> int:
    """After a password reset: no browser stays signed in with the old password."""
    return user_sessions_end_others(user=user, keep_key=None)


# Two-factor login: an authenticator app (TOTP) and ten one-time recovery codes (django_otp's static device).

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def totp_device_pending(*, user) -> TOTPDevice:
    """The authenticator of the enrolment under way: its key stays the same until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def _recovery_codes_replace(*, user) -> list[str]:
    """New codes on the user's one static device; the old ones stop working. Shown once, never again."""
    device, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": RECOVERY_DEVICE_NAME})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirms the enrolment with a code from the app; gives the new recovery codes, or None for a wrong code."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if device.confirmed or not device.verify_token(token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    codes = _recovery_codes_replace(user=device.user)
    record(kind=AuditKind.MFA_ENROLLED, actor=device.user, target=device.user)
    logger.info("User %s enrolled an authenticator app as second factor", device.user_id)
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user) -> list[str]:
    codes = _recovery_codes_replace(user=user)
    record(kind=AuditKind.MFA_ENROLLED, actor=user, target=user, details={"recovery_codes": "regenerated"})
    logger.info("User %s regenerated their recovery codes", user.pk)
    return codes


def second_factor_verify(*, user, code: str):
    """The device that accepts the code (six digits: the app; else a recovery code, used up), or None.

    Only the device the code is meant for is asked, so that a recovery code does not count as a
    wrong app code in django_otp's throttling of that device.
    """
    code = "".join(code.split()).lower()
    model = TOTPDevice if code.isdigit() else StaticDevice
    for device in model.objects.devices_for_user(user, confirmed=True):
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    return None


@transaction.atomic
def second_factors_remove(*, user, removed_by) -> None:
    """Removes the user's authenticator and recovery codes: by the user, or by a superuser for one who lost them.

    When another user removes them, every session of the user ends too: whoever holds one must log in again.
    """
    from django_otp_webauthn.models import WebAuthnCredential

    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    WebAuthnCredential.objects.filter(user=user).delete()  # passkeys live beside the app, never without it
    if removed_by.pk == user.pk:
        record(kind=AuditKind.MFA_RESET, actor=user, target=user, details={"by": "owner"})
        logger.info("User %s removed their second factor", user.pk)
        return
    ended = user_sessions_end_all(user=user)
    record(kind=AuditKind.MFA_RESET, actor=removed_by, target=user, details={"sessions_ended": ended})
    logger.warning("Superuser %s reset the second factor of user %s (%s sessions ended)", removed_by.pk, user.pk, ended)


def sso_login_refused(*, request, reason: str, email: str = "", error: str = "") -> None:
    """Records a single sign-on that did not sign anyone in, and why (never a token or a claim set)."""
    details = {"reason": reason, "email": email[:200]}
    if error:
        details["error"] = error
    record(kind=AuditKind.SSO_LOGIN_REFUSED, request=request, actor_name=email[:150], details=details)
    logger.info("Single sign-on refused (%s) for %r", reason, email)


@transaction.atomic
def passkey_remove(*, passkey) -> None:
    """The user removes one of their passkeys (the app and the recovery codes stay)."""
    user = passkey.user
    details = {"factor": "passkey", "by": "owner", "passkey_id": passkey.pk}
    passkey.delete()
    record(kind=AuditKind.MFA_RESET, actor=user, target=user, details=details)
    logger.info("User %s removed a passkey", user.pk)
