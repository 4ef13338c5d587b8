from axes.helpers import get_client_ip_address
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from . import services


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
