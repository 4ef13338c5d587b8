"""Reads of accounts: a user's signed-in sessions and second factors."""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import UserSession


def _belongs_to(data: dict, user) -> bool:
    """The session is signed in as `user` with the current password (Django's own check at each request)."""
    return str(data.get(SESSION_KEY)) == str(user.pk) and constant_time_compare(
        data.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash()
    )


def user_sessions_active(*, user) -> list[UserSession]:
    """The user's sessions that still let a browser in: not logged out, not expired, not ended by a new password.

    The database holds every session (settings.SESSION_ENGINE keeps them there), so two queries
    answer for any number of sessions.
    """
    rows = list(UserSession.objects.filter(user=user))
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    live = Session.objects.filter(session_key__in=[row.session_key for row in rows], expire_date__gt=timezone.now())
    valid = {session.session_key for session in live if _belongs_to(store.decode(session.session_data), user)}
    return [row for row in rows if row.session_key in valid]


def user_session_get_for_user(*, user, session_id: int) -> UserSession:
    """One of the user's own sessions; another user's answers 404, as one that does not exist."""
    return get_object_or_404(UserSession, pk=session_id, user=user)


# Two-factor login (accounts/two_factor.py has the session's side of it).


def second_factor_required(*, user) -> bool:
    """Whether the user's role obliges them to log in with a second factor (settings.MFA_REQUIRED_ROLES).

    The roles: `superuser`, `staff` (programme staff) and `manager` (manager of any project).
    """
    from projects.models import Membership, Role

    roles = set(settings.MFA_REQUIRED_ROLES)
    if not roles or not user.is_authenticated:
        return False
    if ("superuser" in roles and user.is_superuser) or ("staff" in roles and user.is_staff):
        return True
    return "manager" in roles and Membership.objects.filter(user=user, role=Role.MANAGER).exists()


def user_has_second_factor(*, user) -> bool:
    """A confirmed authenticator app: recovery codes alone are no factor to enrol with."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def user_totp_device(*, user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def user_passkeys(*, user):
    """The user's passkeys (django-otp-webauthn's credentials), newest first."""
    from django_otp_webauthn.models import WebAuthnCredential

    return WebAuthnCredential.objects.filter(user=user).order_by("-created_at")


def user_passkey_get_for_user(*, user, passkey_id: int):
    """One of the user's own passkeys; another user's answers 404, as one that does not exist."""
    return get_object_or_404(user_passkeys(user=user), pk=passkey_id)


def recovery_codes_left(*, user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# Single sign-on (accounts/sso.py): which account the provider's verified claims name.

SSO_EMAIL_MISSING = "email_missing"
SSO_EMAIL_UNVERIFIED = "email_unverified"
SSO_DOMAIN_NOT_ALLOWED = "domain_not_allowed"
SSO_UNKNOWN_ACCOUNT = "unknown_account"
SSO_AMBIGUOUS_ACCOUNT = "ambiguous_account"
SSO_ACCOUNT_INACTIVE = "account_inactive"


def sso_email_refusal(*, claims) -> str | None:
    """Why the e-mail address of the ID token cannot name an account, if it cannot.

    Only an address the provider says it verified (`email_verified` true, not merely present), in one of
    OIDC_ALLOWED_EMAIL_DOMAINS when that is set.
    """
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        return SSO_EMAIL_MISSING
    if claims.get("email_verified") is not True:
        return SSO_EMAIL_UNVERIFIED
    domain = email.rsplit("@", 1)[1].strip().lower()
    allowed = settings.OIDC_ALLOWED_EMAIL_DOMAINS
    if allowed and domain not in allowed:
        return SSO_DOMAIN_NOT_ALLOWED
    return None


def sso_account_for_claims(*, claims):
    """(the account, None) for verified claims that name exactly one active account, else (None, why not).

    Accounts are matched by e-mail address, case-insensitively. An address held by no account is refused
    (accounts are created by programme staff, with their roles); one held by several is refused too,
    since the provider's word cannot say which of them signs in.
    """
    from django.contrib.auth import get_user_model

    refusal = sso_email_refusal(claims=claims)
    if refusal is not None:
        return None, refusal
    accounts = list(get_user_model().objects.filter(email__iexact=claims["email"].strip())[:2])
    if not accounts:
        return None, SSO_UNKNOWN_ACCOUNT
    if len(accounts) > 1:
        return None, SSO_AMBIGUOUS_ACCOUNT
    if not accounts[0].is_active:
        return None, SSO_ACCOUNT_INACTIVE
    return accounts[0], None
