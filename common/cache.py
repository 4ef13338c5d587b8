"""Django's Redis cache, where an unreachable Redis is a cache miss and never an error page.

Pages are served without the cache: it only saves work. When a call to Redis fails, the error
is logged, the call answers as a miss (or does nothing, for a write), and the cache is left
alone for `BACK_OFF_SECONDS`, so that a Redis that is down costs each request nothing but the
first failed attempt. `available()` asks Redis directly, for /healthz.

What this does not do: keep a value that could not be written, or a delete that could not be
made. Nothing the portal keeps in the cache decides who may see something, and every key names
what it holds, so a lost write or delete costs a recomputation, never a wrong page.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

logger = logging.getLogger("mpf.cache")

BACK_OFF_SECONDS = 5.0


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0
        self._lock = threading.Lock()
        import redis  # Django's backend needs it too; imported here so that settings load without it

        self._errors = (redis.exceptions.RedisError, OSError)

    def _call(self, operation: str, call, missing):
        if time.monotonic() < self._down_until:
            return missing
        try:
            return call()
        except self._errors as error:
            with self._lock:
                first = time.monotonic() >= self._down_until
                self._down_until = time.monotonic() + BACK_OFF_SECONDS
            if first:
                logger.warning("Cache unavailable (%s: %s); serving without it for %.0f s", operation, error,
                               BACK_OFF_SECONDS)  # fmt: skip
            return missing

    def available(self) -> bool:
        """Whether Redis answers now (ignores the back-off)."""
        try:
            return bool(self._cache.get_client(write=True).ping())
        except self._errors:
            return False

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", lambda: super(RedisCache, self).add(key, value, timeout, version), False)

    def get(self, key, default=None, version=None):
        return self._call("get", lambda: super(RedisCache, self).get(key, default, version), default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", lambda: super(RedisCache, self).set(key, value, timeout, version), None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", lambda: super(RedisCache, self).touch(key, timeout, version), False)

    def delete(self, key, version=None):
        return self._call("delete", lambda: super(RedisCache, self).delete(key, version), False)

    def get_many(self, keys, version=None):
        return self._call("get_many", lambda: super(RedisCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self._call("has_key", lambda: super(RedisCache, self).has_key(key, version), False)

    def incr(self, key, delta=1, version=None):
        # A missing key raises ValueError, as in every backend; only Redis errors are swallowed.
        return self._call("incr", lambda: super(RedisCache, self).incr(key, delta, version), None)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", lambda: super(RedisCache, self).set_many(data, timeout, version), list(data))

    def delete_many(self, keys, version=None):
        return self._call("delete_many", lambda: super(RedisCache, self).delete_many(keys, version), None)

    def clear(self):
        return self._call("clear", lambda: super(RedisCache, self).clear(), False)
