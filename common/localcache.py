"""A small store in this process in front of the shared cache, for values that never change under their key.

The concept pages and the dashboards cache rendered HTML under keys that name everything it
depends on (a revision, a data version, the language, the reader's rights): a new state gets a
new key, so what is stored under a key stays right for as long as it is kept. Fetching it from
Redis still costs a round trip and unpickling a few hundred kilobytes on every request; this
store keeps the most recently used values in the process too, within a byte budget and never
longer than the shared cache would have kept them.

Only strings or bytes, and tuples, lists or dicts of them, are kept (their size is known);
anything else goes to the shared cache only. `get` and `put` use this process's store alone, for
values too big to be worth sending to the shared cache (whole pages, common.pages).
"""

import threading
import time
from collections import OrderedDict

from django.core.cache import cache

MAX_BYTES = 32 * 1024 * 1024
# Names this module's entries in the shared cache, (computed at, value) pairs: never read as another format.
SHARED_PREFIX = "local1"


def _size(value) -> int | None:
    """Characters (or bytes) held by `value`, or None if it is not made of strings or bytes."""
    if isinstance(value, (str, bytes)):
        return len(value)
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, (tuple, list)):
        sizes = [_size(item) for item in value]
        return None if None in sizes else sum(sizes)
    return None


class _Store:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.used = 0
        self.entries: OrderedDict[str, tuple[float, int, object]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            expires, size, value = entry
            if expires <= time.time():
                del self.entries[key]
                self.used -= size
                return None
            self.entries.move_to_end(key)
            return value

    def put(self, key, value, expires: float) -> None:
        size = _size(value)
        if size is None or size > self.max_bytes // 4:
            return
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.used -= old[1]
            self.entries[key] = (expires, size, value)
            self.used += size
            while self.used > self.max_bytes:
                _key, (_expires, dropped, _value) = self.entries.popitem(last=False)
                self.used -= dropped

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.used = 0


_store = _Store(MAX_BYTES)


def get_or_set(key: str, compute, seconds: int):
    """The value under `key`: from this process, else from the shared cache, else `compute()` (then stored in both).

    `key` must change whenever the value would: what is stored under it is never checked again.
    The shared cache holds the value with the time it was computed, so that no process keeps it
    longer than `seconds` from then.
    """
    value = _store.get(key)
    if value is not None:
        return value
    shared_key = f"{SHARED_PREFIX}:{key}"
    stored = cache.get(shared_key)
    if stored is None:
        stored = (time.time(), compute())
        cache.set(shared_key, stored, seconds)
    computed_at, value = stored
    _store.put(key, value, computed_at + seconds)
    return value


def get(key: str):
    """The value under `key` in this process's store, or None."""
    return _store.get(key)


def put(key: str, value, seconds: int) -> None:
    """Keeps `value` under `key` in this process's store only, for at most `seconds`."""
    _store.put(key, value, time.time() + seconds)


def clear() -> None:
    """Empties this process's store (the shared cache is left alone); for tests."""
    _store.clear()
