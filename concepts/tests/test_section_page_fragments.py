"""The section page's comments, suggestions and comment form kept rendered (concepts.section_page):
never stale after a change made through the services, never another reader's (buttons, CSRF token,
drafts), never another language's; and really reused."""

import re
from unittest import mock

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.utils import translation

from activities.tests.factories import ActivityFactory
from concepts import drafts, services, views
from concepts.models import Concept
from concepts.tests.factories import ConceptFactory, section_with_version
from projects.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

BODY = "Access to free legal aid is guaranteed.\n\nAppeals are heard within thirty days."


@pytest.fixture
def concept(project, users):
    return ConceptFactory(project=project, created_by=users["manager"])


@pytest.fixture
def section(concept, users):
    return section_with_version(concept, title="Legal aid", body=BODY, author=users["drafter"])


def add(section, users, body, author="reviewer", **fields):
    section.refresh_from_db()
    return services.comment_add(section=section, version=section.head, author=users[author], body=body,
                                notify=False, **fields)  # fmt: skip


def page(client, section, query="") -> str:
    response = client.get(section.get_absolute_url() + query)
    assert response.status_code == 200
    return response.content.decode()


def card(html: str, comment) -> str:
    start = html.index(f'id="comment-{comment.pk}"')
    return html[start : html.index("</article>", start)]


def test_comments_replies_and_dispositions_show_at_once(client_for, section, users):
    client = client_for("manager")
    assert "No comments yet." in page(client, section)
    comment = add(section, users, "Add a timeline.")
    html = page(client, section)
    assert "Add a timeline." in html and "No comments yet." not in html
    add(section, users, "Thirty days is fine.", author="drafter", parent=comment)
    assert "Thirty days is fine." in card(page(client, section), comment)
    services.comment_set_disposition(comment=comment, disposition="declined", reason="Out of scope.",
                                     user=users["manager"], notify=False)  # fmt: skip
    declined = card(page(client, section), comment)
    assert "Out of scope." in declined and "text-bg-secondary" in declined


def test_a_quoted_comment_and_a_suggestion_show_at_once(client_for, section, users):
    client = client_for("manager")
    page(client, section)
    quoted = add(section, users, "Which aid?", quote="free legal aid")
    html = page(client, section)
    assert 'id="margin"' in html and 'data-passage="free legal aid"' in card(html, quoted)
    add(section, users, "Shorter.", quote="thirty days", suggestion_mode="replace", suggested_text="a month")
    html = page(client, section)
    assert 'id="suggestions-heading"' in html and "a month" in html


def test_a_new_version_shows_at_once_and_the_older_comment_says_so(client_for, section, users):
    client = client_for("manager")
    comment = add(section, users, "Add a timeline.")
    assert "made on an older version" not in card(page(client, section), comment)
    services.section_save(section=section, base_number=1, title="Legal aid", body="Legal aid for all.",
                          user=users["drafter"])  # fmt: skip
    html = page(client, section)
    assert "Legal aid for all." in html and "Appeals are heard" not in html
    assert "made on an older version" in card(html, comment)


def test_renamed_authors_activities_and_organisations_show_at_once(client_for, section, users):
    activity = ActivityFactory(project=section.concept.project, title="Round table")
    organisation = OrganisationFactory(name="Lawyers' Union")
    comment = add(section, users, "From the round table.", source_activity=activity, source_organisation=organisation)
    client = client_for("manager")
    html = card(page(client, section), comment)
    assert "Round table" in html and "Lawyers&#x27; Union" in html
    reviewer = users["reviewer"]
    reviewer.first_name, reviewer.last_name = "Rita", "Renamed"
    reviewer.save()
    assert "Rita Renamed" in card(page(client, section), comment)
    activity.title = "Second round table"
    activity.save()
    organisation.name = "Bar Association"
    organisation.save()
    html = card(page(client, section), comment)
    assert "Second round table" in html and "Bar Association" in html


def test_a_new_activity_is_offered_by_the_kept_comment_form_at_once(client_for, section):
    client = client_for("reviewer")
    assert "Expert meeting" not in page(client, section)
    ActivityFactory(project=section.concept.project, title="Expert meeting")
    assert "Expert meeting" in page(client, section)


@pytest.mark.parametrize("first", ["manager", "reviewer"])
def test_each_reader_gets_their_own_buttons_whoever_came_first(client_for, section, users, first):
    add(section, users, "Shorter.", quote="thirty days", suggestion_mode="replace", suggested_text="a month")
    page(client_for(first), section)
    manager, reviewer = page(client_for("manager"), section), page(client_for("reviewer"), section)
    for html in (manager, reviewer):
        assert "Your reply" in html and 'id="comment-form"' in html
    assert "Set the disposition" in manager and "Accept and apply" in manager
    assert "Set the disposition" not in reviewer and "Accept and apply" not in reviewer


def test_a_donor_is_refused_the_page_a_manager_filled_the_cache_for(client_for, section, users):
    Concept.objects.filter(pk=section.concept_id).update(status=Concept.Status.PUBLISHED)
    add(section, users, "Add a timeline.")
    assert "Set the disposition" in page(client_for("manager"), section)
    for role, status in (("donor", 403), ("outsider", 404)):
        assert client_for(role).get(section.get_absolute_url()).status_code == status


def test_a_removed_section_offers_no_reply_from_the_kept_page(client_for, section, users):
    add(section, users, "Add a timeline.")
    client = client_for("reviewer")
    assert "Your reply" in page(client, section)
    services.section_remove(section=section)
    html = page(client, section)
    assert "Add a timeline." in html and "Your reply" not in html and 'id="comment-form"' not in html


def test_each_reader_gets_their_own_csrf_token_and_it_works(section, users):
    comment = add(section, users, "Add a timeline.")
    tokens = {}
    for role in ("drafter", "manager"):
        client = Client(enforce_csrf_checks=True)
        client.force_login(users[role])
        html = page(client, section)
        assert "csrf-token-placeholder" not in html
        # Each form's token is the reader's own (masked afresh each time: the same secret).
        found = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert len(found) >= 3  # the page's own, the reply form's, the disposition form's, the comment form's
        assert len({_unmask_cipher_token(token) for token in found}) == 1
        tokens[role] = (client, found[-1])
    assert _unmask_cipher_token(tokens["drafter"][1]) != _unmask_cipher_token(tokens["manager"][1])
    client, token = tokens["manager"]  # served from what the drafter's visit kept
    response = client.post(f"/concepts/{section.concept_id}/comments/{comment.pk}/disposition/",
                           {"disposition": "accepted", "csrfmiddlewaretoken": token})  # fmt: skip
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.disposition == "accepted"


def test_the_newest_own_reply_mark_is_each_readers_own(client_for, section, users):
    comment = add(section, users, "Add a timeline.")
    reply = add(section, users, "Here is one.", author="drafter", parent=comment)
    drafter = page(client_for("drafter"), section)
    reviewer = page(client_for("reviewer"), section)
    assert f'id="reply-form-{comment.pk}"' in reviewer
    mark = re.compile(rf'id="reply-form-{comment.pk}"[^>]*data-draft-head="(\d+)"')
    assert mark.search(drafter)[1] == str(reply.pk)
    assert mark.search(reviewer)[1] == "0"
    assert re.search(r'id="comment-form"[^>]*data-draft-head="(\d+)"', reviewer)[1] == str(comment.pk)
    assert re.search(r'id="comment-form"[^>]*data-draft-head="(\d+)"', drafter)[1] == "0"


def test_an_unsent_reply_is_offered_to_its_author_only_after_others_filled_the_cache(client_for, section, users):
    comment = add(section, users, "Add a timeline.")
    page(client_for("manager"), section)
    drafts.comment_draft_save(user=users["reviewer"], section=section, language="en", parent=comment,
                              version_number=1, texts={"body": "Unsent reply words."}, options={})  # fmt: skip
    assert "Unsent reply words." in page(client_for("reviewer"), section)
    assert "Unsent reply words." not in page(client_for("manager"), section)
    assert "Unsent reply words." not in page(client_for("drafter"), section)


def test_russian_and_english_are_kept_apart(client_for, section, users):
    add(section, users, "Add a timeline.")
    client = client_for("manager")
    with translation.override("ru"):
        client.cookies["django_language"] = "ru"
        russian = page(client, section)
    assert "Принять решение" in russian and "Set the disposition" not in russian
    client.cookies["django_language"] = "en"
    english = page(client, section)
    assert "Set the disposition" in english and "Принять решение" not in english


def test_the_warm_page_reuses_the_kept_parts_with_fewer_queries(
    client_for, section, users, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    comment = add(section, users, "Add a timeline.", quote="free legal aid")
    add(section, users, "Shorter.", quote="thirty days", suggestion_mode="replace", suggested_text="a month")
    add(section, users, "Agreed.", author="drafter", parent=comment)
    client = client_for("manager")
    with CaptureQueriesContext(connection) as cold:
        page(client, section)
    render = mock.patch.object(views, "_render_comments", wraps=views._render_comments)
    with render as spy, django_assert_max_num_queries(5), CaptureQueriesContext(connection) as warm:
        html = page(client, section)
    spy.assert_not_called()
    assert "Add a timeline." in html and "a month" in html and "Agreed." in html
    assert len(warm) < len(cold)


def pager(html: str) -> str:
    found = re.search(r"<nav[^>]*section-pager.*?</nav>", html, re.S)
    return found.group(0) if found else ""


def test_the_previous_and_next_links_follow_moves_titles_and_removals_at_once(client_for, concept, section, users):
    second = section_with_version(concept, title="Appeals", body="Within a month.", author=users["drafter"], position=2)
    client = client_for("reviewer")
    assert "2 Appeals" in pager(page(client, section)) and 'rel="prev"' not in pager(page(client, section))
    services.section_save(section=second, base_number=1, title="Appeals and reviews", body="Within a month.",
                          user=users["drafter"])  # fmt: skip
    assert "2 Appeals and reviews" in pager(page(client, section))
    services.section_move(section=second, direction="up")
    moved = pager(page(client, section))
    assert f'href="{second.get_absolute_url()}" rel="prev"' in moved and "1 Appeals and reviews" in moved
    services.section_remove(section=second)
    assert pager(page(client, section)) == ""


def history(client, section, query="") -> str:
    response = client.get(section.get_absolute_url() + "history/" + query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_history_table_shows_new_versions_and_renamed_authors_at_once(client_for, section, users):
    client = client_for("reviewer")
    assert "1 version" in history(client, section)
    services.section_save(section=section, base_number=1, title="Legal aid", body="Legal aid for all.",
                          user=users["manager"], summary="Shorter")  # fmt: skip
    html = history(client, section)
    assert "2 versions" in html and "Shorter" in html
    manager = users["manager"]
    manager.first_name, manager.last_name = "Mara", "Renamed"
    manager.save()
    assert "Mara Renamed" in history(client, section)


def test_each_history_page_and_language_is_kept_apart(client_for, section, users, monkeypatch):
    monkeypatch.setattr(views, "HISTORY_PAGE_SIZE", 2)
    for number in (2, 3):
        services.section_save(section=section, base_number=number - 1, title="Legal aid", body=f"Text {number}.",
                              user=users["drafter"], summary=f"Change {number}")  # fmt: skip
    client = client_for("reviewer")
    first, second = history(client, section), history(client, section, "?page=2")
    assert "Change 3" in first and "Change 3" not in second
    with translation.override("ru"):
        client.cookies["django_language"] = "ru"
        russian = history(client, section)
    assert "Сравнить" in russian and "Compare" not in russian
    client.cookies["django_language"] = "en"
    assert "Compare" in history(client, section) and "Сравнить" not in history(client, section)


def test_the_warm_history_page_reuses_its_table(client_for, section, users, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.section_save(section=section, base_number=1, title="Legal aid", body="Legal aid for all.",
                          user=users["drafter"])  # fmt: skip
    client = client_for("reviewer")
    with CaptureQueriesContext(connection) as cold:
        history(client, section)
    render = mock.patch.object(views, "Paginator", wraps=views.Paginator)
    with render as spy, django_assert_max_num_queries(6), CaptureQueriesContext(connection) as warm:
        assert "2 versions" in history(client, section)
    spy.assert_not_called()
    assert len(warm) < len(cold)


@pytest.mark.parametrize("first", ["manager", "reviewer"])
def test_the_kept_top_gives_each_reader_their_own_buttons(client_for, section, first):
    page(client_for(first), section)
    manager, reviewer = page(client_for("manager"), section), page(client_for("reviewer"), section)
    assert "Remove section…" in manager and ">Edit</a>" in manager
    assert "Remove section…" not in reviewer and ">Edit</a>" not in reviewer


def test_the_kept_top_shows_new_titles_and_names_at_once(client_for, concept, section, users):
    client = client_for("reviewer")
    assert "Version 1, last changed by" in page(client, section)
    project = concept.project
    project.title = "Renamed project"
    project.save()
    concept.title = "Renamed concept"
    concept.save()
    drafter = users["drafter"]
    drafter.first_name, drafter.last_name = "Dana", "Renamed"
    drafter.save()
    html = page(client, section)
    assert "Renamed project" in html and "Renamed concept" in html and "last changed by Dana Renamed" in html
    services.section_save(section=section, base_number=1, title="Legal aid and appeals", body=BODY,
                          user=users["manager"])  # fmt: skip
    html = page(client, section)
    assert "Legal aid and appeals</h1>" in html and "Version 2" in html and "Last change" in html


def test_the_plain_comment_form_shows_errors_and_keeps_what_was_typed(client_for, section, users):
    partner = OrganisationFactory(name="Partner NGO")
    section.concept.project.partners.create(organisation=partner, role="implementing")
    OrganisationFactory(name="Other body")
    client = client_for("reviewer")
    response = client.post(f"/concepts/{section.concept_id}/sections/{section.pk}/comments/",
                           {"version_number": "1", "body": "", "quote": "free legal aid <b>",
                            "source_organisation": str(partner.pk), "is_recommendation": "on"})  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    form = html[html.index('id="comment-form"') : html.index("</form>", html.index('id="comment-form"'))]
    assert re.search(r'<textarea name="body"[^>]*class="[^"]*is-invalid[^"]*"[^>]*autofocus', form)
    assert 'class="invalid-feedback"><strong>This field is required.</strong>' in form
    assert ">\nfree legal aid &lt;b&gt;</textarea>" in form
    assert re.search(r'<input type="checkbox" name="is_recommendation"[^>]* checked', form)
    partners = form[form.index('<optgroup label="Partners of this project">') :]
    assert partners.index(f'<option value="{partner.pk}" selected>Partner NGO</option>') < partners.index("</optgroup>")
    assert '<optgroup label="Other organisations">' in form and "Other body" in form
