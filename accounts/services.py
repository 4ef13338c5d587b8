"""Writes of accounts: the record of signed-in sessions, and ending them."""

import datetime
import logging
from importlib import import_module

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

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
