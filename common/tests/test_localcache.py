"""The per-process store in front of the shared cache: bounded, never older than the shared cache's limit."""

import time

import pytest
from django.core.cache import cache

from common import localcache


@pytest.fixture
def calls():
    return []


def _compute(calls, value="<p>rendered</p>"):
    def compute():
        calls.append(value)
        return value

    return compute


def test_a_value_is_computed_once_then_served_from_the_process(calls):
    assert localcache.get_or_set("k", _compute(calls), 60) == "<p>rendered</p>"
    cache.clear()  # the shared cache loses it: this process still has it
    assert localcache.get_or_set("k", _compute(calls), 60) == "<p>rendered</p>"
    assert calls == ["<p>rendered</p>"]


def test_another_process_finds_the_value_in_the_shared_cache(calls):
    localcache.get_or_set("k", _compute(calls), 60)
    localcache.clear()  # as a second process would start
    assert localcache.get_or_set("k", _compute(calls, "other"), 60) == "<p>rendered</p>"
    assert len(calls) == 1


def test_nothing_is_kept_longer_than_the_shared_caches_limit(calls, monkeypatch):
    localcache.get_or_set("k", _compute(calls), 60)
    later = time.time() + 61
    monkeypatch.setattr(localcache.time, "time", lambda: later)
    cache.clear()
    assert localcache.get_or_set("k", _compute(calls, "fresh"), 60) == "fresh"


def test_a_value_from_the_shared_cache_expires_when_it_would_have_there(calls, monkeypatch):
    """Computed 50 s ago by another process: this one keeps it 10 s more, not 60."""
    now = time.time()
    cache.set(f"{localcache.SHARED_PREFIX}:k", (now - 50, "old"), 60)
    assert localcache.get_or_set("k", _compute(calls), 60) == "old"
    monkeypatch.setattr(localcache.time, "time", lambda: now + 11)
    cache.clear()
    assert localcache.get_or_set("k", _compute(calls, "new"), 60) == "new"


def test_an_entry_of_another_format_under_the_same_name_is_never_read(calls):
    cache.set("k", {"outline": "<ul></ul>", "document": "<div></div>"}, 60)  # as stored before this module
    assert localcache.get_or_set("k", _compute(calls), 60) == "<p>rendered</p>"


def test_the_store_keeps_to_its_budget_dropping_the_least_recently_used():
    store = localcache._Store(max_bytes=100)
    expires = time.time() + 60
    for key in "abcd":
        store.put(key, key * 20, expires)
    store.get("a")  # used: "b" is now the oldest
    store.put("e", "e" * 25, expires)
    assert store.get("b") is None
    assert [store.get(key) for key in "acde"] == ["a" * 20, "c" * 20, "d" * 20, "e" * 25]
    assert store.used == 85


def test_a_value_too_large_for_the_store_stays_in_the_shared_cache_only():
    store = localcache._Store(max_bytes=100)
    store.put("big", "x" * 26, time.time() + 60)
    assert store.get("big") is None and store.used == 0


def test_only_strings_and_their_containers_are_kept():
    store = localcache._Store(max_bytes=1000)
    expires = time.time() + 60
    store.put("parts", {"outline": "<ul></ul>", "document": "<div></div>"}, expires)
    store.put("pair", ("<form>", "<table>"), expires)
    store.put("object", object(), expires)
    assert store.get("parts") and store.get("pair") and store.get("object") is None


def test_put_keeps_a_value_in_this_process_only_and_for_its_time(monkeypatch):
    localcache.put("page", b"<html>", 60)
    assert localcache.get("page") == b"<html>"
    assert cache.get(f"{localcache.SHARED_PREFIX}:page") is None and cache.get("page") is None
    later = time.time() + 61
    monkeypatch.setattr(localcache.time, "time", lambda: later)
    assert localcache.get("page") is None
