"""Reads of accounts: a user's signed-in sessions."""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.crypto import constant_time_compare

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
