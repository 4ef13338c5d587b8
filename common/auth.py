"""The signed-in user, read from the cache instead of the database on every request.

Every logged-in request loads its user. `CachedModelBackend` keeps the loaded user in the cache
(Redis when configured, shared by all processes) and drops it whenever the user row is saved or
deleted, so a deactivation, a password change or a new name takes effect on the next request.
Changes that bypass `save()` (a queryset `update()`) are seen within `USER_CACHE_SECONDS`.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

USER_CACHE_SECONDS = 300


def _key(user_id) -> str:
    return f"auth:user:{user_id}"


class CachedModelBackend(ModelBackend):
    """Django's ModelBackend (password log-in, permissions) with the user cached between requests."""

    def get_user(self, user_id):
        key = _key(user_id)
        user = cache.get(key)
        if user is None:
            user = super().get_user(user_id)  # None for an unknown or inactive user: not cached
            if user is not None:
                cache.set(key, user, USER_CACHE_SECONDS)
            return user
        return user if self.user_can_authenticate(user) else None


@receiver([post_save, post_delete], sender=get_user_model(), dispatch_uid="common.forget_cached_user")
def forget_cached_user(sender, instance, **kwargs):
    cache.delete(_key(instance.pk))
