from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.utils import timezone

from accounts.models import UserSession


def signed_in_session(user, *, user_agent: str = "Firefox on another computer", ip_address: str = "192.0.2.7"):
    """A live session of `user` in another browser, as a login there leaves it: the session and its row."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return UserSession.objects.create(
        session_key=store.session_key, user=user, last_seen=timezone.now(), user_agent=user_agent, ip_address=ip_address
    )
