"""Requests for a password-reset link, counted per e-mail address and per client address.

Counters live in Django's cache for an hour from the first request. The answer to a refused
request is the same page as to any other, so the limit reveals nothing about accounts. A cache
that fails lets the request through: the form must keep working when Redis does not.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger("mpf.security")

WINDOW_SECONDS = 3600


def _count(key: str) -> int:
    cache.add(key, 0, WINDOW_SECONDS)
    return cache.incr(key)


def password_reset_allowed(*, email: str, address: str | None) -> bool:
    """Counts this request; False when the e-mail or the client address asked too often this hour."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    try:
        by_email = _count(f"accounts:reset:email:{digest}")
        by_address = _count(f"accounts:reset:address:{address}") if address else 0
    except Exception:  # noqa: BLE001 - a cache error is a miss, never an error page
        logger.warning("Password-reset throttle unavailable: the cache failed", exc_info=True)
        return True
    allowed = by_email <= settings.PASSWORD_RESET_EMAIL_LIMIT and by_address <= settings.PASSWORD_RESET_ADDRESS_LIMIT
    if not allowed:
        logger.warning("Password-reset request refused for address %s (too many requests)", address)
    return allowed
