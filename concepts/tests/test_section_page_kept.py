"""The section page's parts kept under the concept's content revision (concepts.section_page): a
warm page reads nothing but the lookup and the reader's unsent comments and renders nothing; every
change shows at once, whoever made it; each reader sees only what they may, whoever came first; a
new version renders no comment card again."""

import re
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from concepts import section_page, services, views
from concepts.models import Concept, Section
from concepts.tests.factories import ConceptFactory, section_with_version

pytestmark = pytest.mark.django_db

BODY = "Access to free legal aid is guaranteed.\n\nAppeals are heard within thirty days."


@pytest.fixture
def concept(project, users):
    return ConceptFactory(project=project, created_by=users["manager"], language="en", target_languages=["ru"])


@pytest.fixture
def section(concept, users):
    return section_with_version(concept, title="Legal aid", body=BODY, author=users["drafter"])


def fresh(section) -> Section:
    return Section.objects.select_related("head", "concept").get(pk=section.pk)


def add(section, users, body, author="reviewer", **fields):
    section = fresh(section)
    return services.comment_add(section=section, version=section.head, author=users[author], body=body,
                                notify=False, **fields)  # fmt: skip


def save(section, user, body, title="Legal aid", **fields):
    section = fresh(section)
    return services.section_save(section=section, base_number=section.head.number, title=title, body=body,
                                 user=user, **fields)  # fmt: skip


def page(client, section, query="") -> str:
    response = client.get(section.get_absolute_url() + query)
    assert response.status_code == 200
    return response.content.decode()


def card(html: str, comment) -> str:
    start = html.index(f'id="comment-{comment.pk}"')
    return html[start : html.index("</article>", start)]


def pager(html: str) -> str:
    found = re.search(r"<nav[^>]*section-pager.*?</nav>", html, re.S)
    return found.group(0) if found else ""


# --- a change shows at once -----------------------------------------------------------------


def test_a_comment_a_reply_and_a_disposition_show_at_once(client_for, section, users):
    client = client_for("drafter")
    assert "No comments yet." in page(client, section)
    comment = add(section, users, "Add a timeline.")
    assert "Add a timeline." in card(page(client, section), comment)
    add(section, users, "Within the year.", author="manager", parent=comment)
    assert "Within the year." in card(page(client, section), comment)
    services.comment_set_disposition(comment=comment, disposition="declined", reason="Out of scope.",
                                     user=users["manager"], notify=False)  # fmt: skip
    declined = card(page(client, section), comment)
    assert "Out of scope." in declined and "text-bg-secondary" in declined


def test_a_section_moved_in_the_outline_changes_the_pager_at_once(client_for, concept, section, users):
    second = section_with_version(concept, title="Appeals", body="Within a month.", author=users["drafter"], position=2)
    client = client_for("reviewer")
    assert 'rel="next"' in pager(page(client, section)) and 'rel="prev"' not in pager(page(client, section))
    services.section_move(section=second, direction="up")
    moved = pager(page(client, section))
    assert f'href="{second.get_absolute_url()}" rel="prev"' in moved and 'rel="next"' not in moved


def test_renamed_authors_and_disposition_setters_show_at_once(client_for, section, users):
    comment = add(section, users, "Add a timeline.")
    services.comment_set_disposition(comment=comment, disposition="accepted", reason="", user=users["manager"],
                                     notify=False)  # fmt: skip
    client = client_for("drafter")
    page(client, section)
    for role, name in (("reviewer", "Rita Renamed"), ("drafter", "Dana Renamed")):
        person = users[role]
        person.first_name, person.last_name = name.split()
        person.save()
    html = page(client, section)
    assert "by Rita Renamed" in card(html, comment) and "last changed by Dana Renamed" in html
    manager = users["manager"]  # wrote nothing here: only set the disposition
    manager.first_name, manager.last_name = "Mara", "Renamed"
    manager.save()
    assert "Mara Renamed" in card(page(client, section), comment)


def test_a_new_version_shows_at_once_and_the_kept_cards_and_form_follow_it(client_for, section, users):
    comment = add(section, users, "Add a timeline.")
    client = client_for("drafter")
    html = page(client, section)
    assert 'name="version_number" value="1"' in html and "made on an older version" not in card(html, comment)
    for number in (2, 3):
        save(section, users["drafter"], f"Legal aid for all, take {number}.")
        cards = mock.patch.object(section_page, "render_card", wraps=section_page.render_card)
        form = mock.patch.object(section_page, "render_comment_form", wraps=section_page.render_comment_form)
        with cards as card_spy, form as form_spy:
            html = page(client, section)
        card_spy.assert_not_called()  # the comment did not change: its card is kept
        form_spy.assert_not_called()  # nor did the project's activities and organisations
        assert f"Legal aid for all, take {number}." in html and f"Version {number}" in html
        shown = card(html, comment)
        assert "made on an older version" in shown and f"from=1&amp;to={number}" in shown
        assert f'name="version_number" value="{number}"' in shown  # the reply form
        assert re.search(rf'<option value="\d+">v{number} – ', shown) and re.search(r'<option value="\d+">v1 – ', shown)
        form = html[html.index('id="comment-form"') :]
        assert f'name="version_number" value="{number}"' in form[: form.index("</form>")]
    for slot in ("version-number-of-the-page", "disposition-version-options", "older-version"):
        assert slot not in html


def test_a_change_elsewhere_in_the_concept_renders_no_card_again(client_for, concept, section, users):
    comment = add(section, users, "Add a timeline.")
    other = section_with_version(concept, title="Appeals", body="Within a month.", author=users["drafter"], position=2)
    client = client_for("manager")
    page(client, section)
    save(other, users["drafter"], "Within two months.", title="Appeals and reviews")
    with mock.patch.object(section_page, "render_card", wraps=section_page.render_card) as spy:
        html = page(client, section)
    spy.assert_not_called()
    assert "Appeals and reviews" in pager(html) and "Add a timeline." in card(html, comment)


def test_an_incorporated_comment_offers_its_older_version_selected(client_for, section, users):
    comment = add(section, users, "Add a timeline.")
    save(section, users["drafter"], "Legal aid for all.")
    comment.refresh_from_db()
    first = fresh(section).versions.get(number=1)
    services.comment_set_disposition(comment=comment, disposition="incorporated", reason="", incorporated_in=first,
                                     user=users["manager"], notify=False)  # fmt: skip
    html = card(page(client_for("drafter"), section), comment)
    assert f'<option value="{first.pk}" selected>v1 – ' in html


def test_the_translation_page_shows_a_changed_source_at_once(client_for, section, users):
    fresh_section = fresh(section)
    services.section_save(section=fresh_section, base_number=0, title="Правовая помощь", body="Помощь.",
                          user=users["drafter"], language="ru", source_number=1)  # fmt: skip
    client = client_for("reviewer")
    assert "Up to date" in page(client, section, "?language=ru")
    save(section, users["drafter"], "Legal aid for all.")
    html = page(client, section, "?language=ru")
    assert "Out of date" in html and "Помощь." in html


# --- each reader their own ------------------------------------------------------------------


@pytest.mark.parametrize("first", ["reviewer", "drafter"])
def test_a_reviewer_and_a_drafter_each_get_their_own_page_whoever_came_first(client_for, section, users, first):
    add(section, users, "Shorter.", quote="thirty days", suggestion_mode="replace", suggested_text="a month")
    page(client_for(first), section)
    reviewer, drafter = page(client_for("reviewer"), section), page(client_for("drafter"), section)
    for html in (reviewer, drafter):
        assert "Your reply" in html and 'id="comment-form"' in html and "csrf-token-placeholder" not in html
        assert "version-number-of-the-page" not in html and "disposition-version-options" not in html
    assert "Set the disposition" in drafter and "Accept and apply" in drafter and ">Edit</a>" in drafter
    assert "Set the disposition" not in reviewer and "Accept and apply" not in reviewer
    assert ">Edit</a>" not in reviewer


@pytest.mark.parametrize("first", ["reviewer", "drafter"])
def test_the_newest_own_comment_mark_is_each_readers_own_whoever_came_first(client_for, section, users, first):
    comment = add(section, users, "Add a timeline.")
    reply = add(section, users, "Here is one.", author="drafter", parent=comment)
    page(client_for(first), section)
    drafter, reviewer = page(client_for("drafter"), section), page(client_for("reviewer"), section)
    mark = re.compile(rf'id="reply-form-{comment.pk}"[^>]*data-draft-head="(\d+)"')
    assert mark.search(drafter)[1] == str(reply.pk) and mark.search(reviewer)[1] == "0"
    form = re.compile(r'id="comment-form"[^>]*data-draft-head="(\d+)"')
    assert form.search(reviewer)[1] == str(comment.pk) and form.search(drafter)[1] == "0"


def test_readers_who_may_not_read_drafts_are_refused_after_a_drafter_filled_the_cache(client_for, section, users):
    Concept.objects.filter(pk=section.concept_id).update(status=Concept.Status.PUBLISHED)
    add(section, users, "Add a timeline.")
    assert "Add a timeline." in page(client_for("drafter"), section)
    for role, status in (("donor", 403), ("outsider", 404)):
        assert client_for(role).get(section.get_absolute_url()).status_code == status
    assert client_for("anonymous").get(section.get_absolute_url()).status_code in (302, 403, 404)


# --- warm: no query but the lookup and the reader's drafts, nothing rendered -----------------


def test_the_warm_page_reads_only_the_lookup_and_the_readers_drafts_and_renders_nothing(
    client_for, concept, section, users
):
    comment = add(section, users, "Add a timeline.", quote="free legal aid")
    add(section, users, "Shorter.", quote="thirty days", suggestion_mode="replace", suggested_text="a month")
    add(section, users, "Agreed.", author="drafter", parent=comment)
    section_with_version(concept, title="Appeals", body="Within a month.", author=users["drafter"], position=2)
    client = client_for("drafter")
    page(client, section)
    spies = [
        mock.patch.object(views, "render_to_string", wraps=views.render_to_string),
        mock.patch.object(section_page, "render_to_string", wraps=section_page.render_to_string),
        mock.patch.object(views, "_render_comments", wraps=views._render_comments),
    ]
    with (
        spies[0] as top_and_pager,
        spies[1] as cards_and_form,
        spies[2] as comments,
        CaptureQueriesContext(connection) as warm,
    ):
        html = page(client, section)
    for spy in (top_and_pager, cards_and_form, comments):
        spy.assert_not_called()
    assert "Add a timeline." in html and "a month" in html and "Agreed." in html and "Appeals" in pager(html)
    # The session, the user, the section with its concept and head (the lookup), the reader's unsent
    # comments, and the site frame's two about the navigation (a drafter is neither manager nor donor):
    # nothing of the comments, the outline, the versions or the comment form's choices.
    sqls = [query["sql"] for query in warm.captured_queries]
    assert len(sqls) == 6
    assert sum('FROM "concepts_section"' in sql for sql in sqls) == 1
    assert sum('FROM "concepts_commentdraft"' in sql for sql in sqls) == 1
    assert not any(
        table in sql
        for sql in sqls
        for table in (
            'FROM "concepts_comment"',
            'FROM "concepts_sectionversion"',
            'FROM "activities_activity"',
            'FROM "projects_organisation"',
        )
    )


def test_renaming_a_merged_author_moves_the_concept_on(section, users):
    from concepts.models import SectionVersion

    SectionVersion.objects.filter(pk=fresh(section).head_id).update(merged_author=users["other_drafter"])
    before = Concept.objects.get(pk=section.concept_id).content_revision
    person = users["other_drafter"]
    person.first_name = "Olga"
    person.save()
    assert Concept.objects.get(pk=section.concept_id).content_revision > before


def test_a_new_organisation_and_activity_are_offered_by_the_kept_comment_form_at_once(client_for, section):
    from activities.tests.factories import ActivityFactory
    from projects.tests.factories import OrganisationFactory

    client = client_for("reviewer")
    assert "Bar Association" not in page(client, section)
    OrganisationFactory(name="Bar Association")
    assert "Bar Association" in page(client, section)
    ActivityFactory(project=section.concept.project, title="Expert meeting")
    assert "Expert meeting" in page(client, section)


def test_a_russian_reader_gets_the_translation_with_one_query_for_it(client_for, section, users):
    services.section_save(section=fresh(section), base_number=0, title="Правовая помощь", body="Помощь всем.",
                          user=users["drafter"], language="ru", source_number=1)  # fmt: skip
    client = client_for("reviewer")
    client.cookies["django_language"] = "ru"
    page(client, section)
    with CaptureQueriesContext(connection) as warm:
        html = page(client, section)
    assert "Помощь всем." in html and "Access to free legal aid" not in html
    sqls = [query["sql"] for query in warm.captured_queries]
    assert sum('FROM "concepts_sectiontranslation"' in sql for sql in sqls) == 1  # chosen and shown by one read
    assert not any('FROM "concepts_sectionversion"' in sql for sql in sqls)
