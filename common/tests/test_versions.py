"""Version counters in the shared cache: moved on by a bump, never reused after the cache is emptied."""

from django.core.cache import cache

from common import versions


def test_a_bump_moves_the_version_on():
    first = versions.current("v")
    versions.bump("v")
    assert versions.current("v") == first + 1


def test_an_emptied_cache_starts_a_version_never_handed_out_before():
    versions.bump("v")
    before = versions.current("v")
    cache.clear()
    assert versions.current("v") > before


def test_a_bump_on_an_empty_cache_starts_the_counter():
    versions.bump("v")
    assert versions.current("v") > 0
