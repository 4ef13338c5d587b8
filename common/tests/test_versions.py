"""Version counters in the shared cache: moved on by a bump, never reused after the cache is emptied."""

import pytest
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


def test_several_versions_are_read_together_and_started_where_missing():
    versions.bump("a")
    found = versions.current_many(["a", "b"])
    assert found == {"a": versions.current("a"), "b": versions.current("b")}
    assert found["b"] > 0


@pytest.mark.django_db
def test_a_bump_in_a_transaction_moves_the_version_on_again_after_the_commit(django_capture_on_commit_callbacks):
    before = versions.current("v")
    with django_capture_on_commit_callbacks(execute=True):
        versions.bump("v")
        # A reader may cache what it reads now (the old data) under the new version ...
        during = versions.current("v")
    # ... which the bump after the commit outdates.
    assert before < during < versions.current("v")
