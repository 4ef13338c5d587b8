"""However many readers arrive after a change, the dashboard figures are computed once."""

import threading
import time

import pytest
from django.core.cache import cache

from dashboards import cache as dashboard_cache
from tests.threads import run_together

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.DASHBOARD_CACHE_SECONDS = 300
    cache.clear()


def test_readers_arriving_together_wait_for_the_one_computing(monkeypatch):
    computed = []

    def compute():
        computed.append(threading.get_ident())
        time.sleep(0.4)  # long enough for every other reader to arrive while it runs
        return {"total": 123}

    results = []

    def reader():
        results.append(dashboard_cache.cached("figures", "scope", {"year": 2020}, compute))

    assert run_together(reader, 6) == []
    assert len(computed) == 1
    assert results == [{"total": 123}] * 6


def test_a_reader_does_not_wait_for_a_reader_that_failed():
    def failing():
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        dashboard_cache.cached("figures", "scope", {}, failing)
    started = time.monotonic()
    assert dashboard_cache.cached("figures", "scope", {}, lambda: {"total": 1}) == {"total": 1}
    assert time.monotonic() - started < dashboard_cache.WAIT_SECONDS / 2  # the lock went with the failure


def test_a_reader_computes_itself_when_the_lock_holder_never_finishes(monkeypatch):
    monkeypatch.setattr(dashboard_cache, "WAIT_SECONDS", 0.3)
    key_prefix = "dashboards:figures:"
    # Another process took the lock and died without releasing it before its expiry.
    with monkeypatch.context() as patched:
        patched.setattr(cache, "add", lambda *args, **kwargs: False)
        patched.setattr(cache, "has_key", lambda key, *args, **kwargs: key.startswith(key_prefix))
        assert dashboard_cache.cached("figures", "scope", {}, lambda: {"total": 2}) == {"total": 2}
