"""The signed-in user, read from the cache instead of the database on every request.

Every logged-in request loads its user. `CachedModelBackend` keeps the loaded user in the cache
(Redis when configured, shared by all processes) and drops it whenever the user row is saved or
deleted, so a deactivation, a password change or a new name takes effect on the next request.
Changes that bypass `save()` (a queryset `update()`) are seen within `USER_CACHE_SECONDS`.

`get_many_with_user` lets a page that reads the cache anyway fetch the user in the same round trip.
"""

from contextvars import ContextVar

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

USER_CACHE_SECONDS = 300


# (key, cached user or None) fetched for the request being served, while its user is being loaded.
_prefetched: ContextVar[tuple[str, object] | None] = ContextVar("common.auth.prefetched", default=None)


def _key(user_id) -> str:
    return f"auth:user:{user_id}"


def get_many_with_user(request, keys: list[str]) -> dict:
    """`cache.get_many(keys)`, which also loads `request.user` from the same round trip to the cache.

    The user is then loaded the usual way (django.contrib.auth.get_user: backend, session hash),
    only the backend's read of the cache is served from what was fetched here.
    """
    session = getattr(request, "session", None)
    user_id = session.get(SESSION_KEY) if session is not None else None
    if user_id is None or hasattr(request, "_cached_user"):  # anonymous, or the user is loaded already
        return cache.get_many(keys)
    key = _key(get_user_model()._meta.pk.to_python(user_id))  # as django.contrib.auth.get_user reads it
    found = cache.get_many([key, *keys])
    token = _prefetched.set((key, found.pop(key, None)))
    try:
        request.user.is_authenticated  # noqa: B018 - loads the lazy user now, while the fetched one is there
    finally:
        _prefetched.reset(token)
    return found


class CachedModelBackend(ModelBackend):
    """Django's ModelBackend (password log-in, permissions) with the user cached between requests."""

    def get_user(self, user_id):
        key = _key(user_id)
        prefetched = _prefetched.get()
        user = prefetched[1] if prefetched is not None and prefetched[0] == key else cache.get(key)
        if user is None:
            user = super().get_user(user_id)  # None for an unknown or inactive user: not cached
            if user is not None:
                cache.set(key, user, USER_CACHE_SECONDS)
            return user
        return user if self.user_can_authenticate(user) else None


@receiver([post_save, post_delete], sender=get_user_model(), dispatch_uid="common.forget_cached_user")
def forget_cached_user(sender, instance, **kwargs):
    cache.delete(_key(instance.pk))
