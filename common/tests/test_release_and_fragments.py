"""The cache's keys: a release id from the code, rendered HTML keyed by what it shows, data generations."""

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from common import generations
from common.fragments import cached_html, cached_utf8, response_around
from common.release import release_id


def _tree(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("<p>{{ text }}</p>")
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "markdown.py").write_text("ALLOWED = {'p'}\n")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "site.py").write_text("x = 1\n")
    return tmp_path


def test_the_release_id_changes_with_a_template_or_the_sanitiser_and_only_with_the_code(tmp_path):
    tree = _tree(tmp_path)
    first = release_id(tree)
    assert release_id(tree) == first
    (tree / ".venv" / "site.py").write_text("x = 2\n")  # not our code
    (tree / "notes.md").write_text("# notes")
    assert release_id(tree) == first
    (tree / "templates" / "page.html").write_text("<p class='new'>{{ text }}</p>")
    second = release_id(tree)
    assert second != first
    (tree / "common" / "markdown.py").write_text("ALLOWED = {'p', 'em'}\n")
    assert release_id(tree) not in (first, second)


def test_a_deploy_with_a_new_release_never_serves_what_older_code_rendered(settings):
    base = settings.CACHES["default"]
    with override_settings(CACHES={"default": {**base, "KEY_PREFIX": "release-1"}}):
        assert cached_html("diff:1:2", lambda: "<p>old template</p>") == "<p>old template</p>"
        assert cached_html("diff:1:2", lambda: "<p>never rendered</p>") == "<p>old template</p>"  # kept
    with override_settings(CACHES={"default": {**base, "KEY_PREFIX": "release-2"}}):
        assert cached_html("diff:1:2", lambda: "<p>new template</p>") == "<p>new template</p>"


def test_a_fragment_is_kept_per_language():
    with translation.override("en"):
        assert cached_html("k", lambda: "English") == "English"
    with translation.override("ru"):
        assert cached_html("k", lambda: "Русский") == "Русский"
    with translation.override("en"):
        assert cached_html("k", lambda: "again") == "English"
    assert cache.get("k") is None  # never under the bare key


def test_an_encoded_fragment_is_kept_per_language_and_sent_inside_the_page(rf, tmp_path, settings):
    with translation.override("en"):
        assert cached_utf8("k", lambda: "<p>English</p>") == b"<p>English</p>"
    with translation.override("ru"):
        assert cached_utf8("k", lambda: "<p>Русский</p>") == "<p>Русский</p>".encode()
    with translation.override("en"):
        body = cached_utf8("k", lambda: "never rendered")
    (tmp_path / "page.html").write_text("<title>{{ title }}</title><main>{{ kept_body }}</main>")
    (tmp_path / "bare.html").write_text("<main></main>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    response = response_around(rf.get("/"), "page.html", {"title": "<!--x-->"}, body)
    assert response.content == b"<title>&lt;!--x--&gt;</title><main><p>English</p></main>"
    with pytest.raises(ValueError):
        response_around(rf.get("/"), "bare.html", {}, body)


@pytest.mark.django_db(transaction=True)
def test_a_generation_moves_on_when_the_change_commits_and_not_before():
    before = generations.current()
    with transaction.atomic():
        generations.data_changed()
        assert generations.current() == before
    assert generations.current() == before + 1
    try:
        with transaction.atomic():
            generations.data_changed()
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    assert generations.current() == before + 1  # nothing changed, nothing to outdate
