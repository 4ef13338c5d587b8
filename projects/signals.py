import logging

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

logger = logging.getLogger("mpf.security")


@receiver(user_login_failed)
def log_refused_login(sender, credentials, request=None, **kwargs):
    address = request.META.get("REMOTE_ADDR", "?") if request is not None else "?"
    logger.warning("Refused login for username %r from %s", credentials.get("username", ""), address)
