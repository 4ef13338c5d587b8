from axes.helpers import get_client_ip_address
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from . import services, two_factor


@receiver(user_logged_in, dispatch_uid="accounts.record_session")
def record_session(sender, request, user, **kwargs):
    """Remembers whose this session is, so that the user can list and end their sessions."""
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if not session_key:
        return
    services.user_session_record(
        user=user,
        session_key=session_key,
        user_agent=request.headers.get("User-Agent", ""),
        ip_address=get_client_ip_address(request),
    )


@receiver(user_logged_out, dispatch_uid="accounts.forget_session")
def forget_session(sender, request, user, **kwargs):
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        services.user_session_forget(session_key=session_key)


@receiver(user_logged_in, dispatch_uid="accounts.second_factor_owed")
def second_factor_owed(sender, request, user, **kwargs):
    """After the password: a code or an enrolment may still be owed (two_factor.py)."""
    if getattr(request, "session", None) is not None:
        two_factor.login_started(request, user)
