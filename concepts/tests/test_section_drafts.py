"""Unsaved drafts of a section: kept for their owner alone, offered back, gone once saved or discarded;
and the server, not the editor, deciding what a saved text may hold."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from common.markdown import render_markdown
from concepts import drafts
from concepts.models import MAX_BODY_LENGTH, SectionDraft, SectionVersion
from concepts.tests.factories import ConceptFactory, section_with_version

pytestmark = pytest.mark.django_db

BODY = "First paragraph about labour migration.\n\nSecond paragraph about asylum.\n\nThird paragraph about return."


@pytest.fixture
def concept(project, users):
    return ConceptFactory(project=project, created_by=users["manager"], target_languages=["ru"])


@pytest.fixture
def section(concept, users):
    return section_with_version(concept, title="Purpose", body=BODY, author=users["drafter"])


def urls(section) -> dict:
    args = [section.concept_id, section.pk]
    return {
        "save": reverse("concepts:section_draft_save", args=args),
        "edit": reverse("concepts:section_edit", args=args),
        "translate": reverse("concepts:section_translate", args=[*args, "ru"]),
    }


def keep(client, section, body, **fields):
    data = {"kind": "edit", "base_number": "1", "title": "Purpose", "body": body, "tab": "tab-one", **fields}
    return client.post(urls(section)["save"], data)


def test_typing_keeps_one_draft_per_person_and_editor(client_for, section, users):
    client = client_for("drafter")
    assert keep(client, section, BODY + " Typed.").status_code == 200
    response = keep(client, section, BODY + " Typed more.")
    assert response.status_code == 200
    answer = json.loads(response.content)
    assert answer["message"].startswith("A draft of your text was kept at ")
    draft = SectionDraft.objects.get()
    assert (draft.user, draft.section, draft.language, draft.kind) == (users["drafter"], section, "en", "edit")
    assert draft.body == BODY + " Typed more."
    assert draft.base_number == 1

    keep(client_for("manager"), section, BODY + " The manager's words.")
    assert SectionDraft.objects.count() == 2  # each person their own


def test_a_draft_larger_than_a_section_may_be_is_refused_with_the_limit(client_for, section):
    response = keep(client_for("drafter"), section, "x" * (MAX_BODY_LENGTH + 1))
    assert response.status_code == 413
    error = json.loads(response.content)["error"]
    assert "200,000" in error and "200,001" in error
    assert not SectionDraft.objects.exists()
    assert keep(client_for("drafter"), section, "x" * MAX_BODY_LENGTH).status_code == 200


def test_the_service_refuses_an_oversized_draft(section, users):
    with pytest.raises(ValidationError, match="too long to keep"):
        drafts.draft_save(
            user=users["drafter"],
            section=section,
            language="en",
            kind="edit",
            base_number=1,
            title="Purpose",
            body="x" * (MAX_BODY_LENGTH + 1),
        )


def test_the_edit_page_offers_ones_own_draft_with_how_it_differs(client_for, section):
    keep(client_for("drafter"), section, BODY.replace("asylum", "asylum and statelessness"))
    page = client_for("drafter").get(urls(section)["edit"]).content.decode()
    assert "You have unsaved text from" in page
    assert "asylum<ins> and statelessness</ins>." in page
    draft = SectionDraft.objects.get()
    assert f"?draft={draft.pk}" in page
    # Not offered to anyone else who edits the same section.
    assert "data-draft-offer" not in client_for("manager").get(urls(section)["edit"]).content.decode()


def test_a_draft_repeating_the_saved_text_is_not_offered(client_for, section):
    keep(client_for("drafter"), section, BODY)
    assert "data-draft-offer" not in client_for("drafter").get(urls(section)["edit"]).content.decode()


def test_restoring_puts_the_draft_in_the_form_from_the_version_it_was_based_on(client_for, section, users):
    keep(client_for("drafter"), section, BODY + " Typed.", summary="Added a sentence")
    draft = SectionDraft.objects.get()
    page = client_for("drafter").get(f"{urls(section)['edit']}?draft={draft.pk}").content.decode()
    assert "is back in the editor" in page
    assert f"{BODY} Typed.</textarea>" in page
    assert 'name="summary" value="Added a sentence"' in page
    assert 'name="base_number" value="1"' in page


@pytest.mark.parametrize("role", ["manager", "staff"])
def test_another_persons_draft_is_404_even_to_those_who_may_edit(client_for, section, role):
    keep(client_for("drafter"), section, BODY + " Private words.")
    draft = SectionDraft.objects.get()
    client = client_for(role)
    args = [section.concept_id, section.pk, draft.pk]
    assert client.get(reverse("concepts:section_draft", args=args)).status_code == 404
    assert client.get(f"{urls(section)['edit']}?draft={draft.pk}").status_code == 404
    assert client.post(reverse("concepts:section_draft_discard", args=args)).status_code == 404
    assert SectionDraft.objects.filter(pk=draft.pk).exists()


def test_a_draft_asked_for_under_another_section_is_404(client_for, concept, section, users):
    other = section_with_version(concept, title="Other", body="Other text.", author=users["drafter"], position=2)
    keep(client_for("drafter"), section, BODY + " Typed.")
    draft = SectionDraft.objects.get()
    client = client_for("drafter")
    assert client.get(reverse("concepts:section_draft", args=[concept.pk, other.pk, draft.pk])).status_code == 404
    assert client.get(f"{urls(other)['edit']}?draft={draft.pk}").status_code == 404
    assert client.get(f"{urls(section)['edit']}?draft=nonsense").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in_and_reviewers_may_not_keep_drafts(client_for, section):
    response = keep(client_for("anonymous"), section, "Typed.")
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert keep(client_for("reviewer"), section, "Typed.").status_code == 403
    assert keep(client_for("outsider"), section, "Typed.").status_code == 404
    assert not SectionDraft.objects.exists()


def test_a_draft_post_without_the_csrf_token_is_refused(section, users):
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(users["drafter"])
    assert keep(forged, section, "Typed.").status_code == 403
    assert not SectionDraft.objects.exists()


def test_a_draft_is_never_shown_on_the_section_page(client_for, section):
    keep(client_for("drafter"), section, BODY + " Unsaved secret wording.")
    for role in ["drafter", "manager", "reviewer"]:
        assert "Unsaved secret wording" not in client_for(role).get(section.get_absolute_url()).content.decode()


def test_saving_the_section_deletes_the_draft(client_for, section):
    client = client_for("drafter")
    keep(client, section, BODY + " Typed.")
    data = {"base_number": 1, "title": "Purpose", "body": BODY + " Typed.", "draft_tab": "tab-one"}
    response = client.post(urls(section)["edit"], data)
    assert response.status_code == 302
    assert section.versions.count() == 2
    assert not SectionDraft.objects.exists()


def test_discarding_deletes_the_draft_and_returns_to_the_editor(client_for, section):
    client = client_for("drafter")
    keep(client, section, BODY + " Typed.")
    draft = SectionDraft.objects.get()
    response = client.post(reverse("concepts:section_draft_discard", args=[section.concept_id, section.pk, draft.pk]))
    assert response.status_code == 302 and response.url == urls(section)["edit"]
    assert not SectionDraft.objects.exists()
    assert section.versions.count() == 1


def test_a_conflicting_save_keeps_the_draft(client_for, section, users):
    """Two tabs of the same person: the later save, from the same version, meets the earlier one as
    anyone else's would: merged where the edits touch different paragraphs, else both texts shown."""
    client = client_for("drafter")
    edit = urls(section)["edit"]
    first_tab = BODY.replace("labour migration", "labour migration and mobility")
    assert client.post(edit, {"base_number": 1, "title": "Purpose", "body": first_tab}).status_code == 302

    other_paragraph = BODY.replace("about return", "about voluntary return")
    keep(client, section, other_paragraph)
    response = client.post(edit, {"base_number": 1, "title": "Purpose", "body": other_paragraph}, follow=True)
    assert "so both were kept in version 3" in response.content.decode()
    assert section.versions.get(number=3).body == BODY.replace(
        "labour migration", "labour migration and mobility"
    ).replace("about return", "about voluntary return")

    same_paragraph = BODY.replace("labour migration", "labour migration of seasonal workers")
    keep(client, section, same_paragraph)
    response = client.post(edit, {"base_number": 1, "title": "Purpose", "body": same_paragraph})
    assert response.status_code == 409
    assert section.versions.count() == 3
    assert SectionDraft.objects.get().body == same_paragraph  # nothing typed is lost


def test_saving_unchanged_text_records_no_version(client_for, section):
    response = client_for("drafter").post(
        urls(section)["edit"], {"base_number": 1, "title": "Purpose", "body": BODY}, follow=True
    )
    assert "Nothing was changed, so no new version was saved." in response.content.decode()
    assert section.versions.count() == 1
    # Browsers send CRLF: still unchanged.
    client_for("drafter").post(
        urls(section)["edit"], {"base_number": 1, "title": "Purpose", "body": BODY.replace("\n", "\r\n")}
    )
    assert section.versions.count() == 1


def test_the_translation_editor_keeps_its_own_draft(client_for, section):
    client = client_for("drafter")
    response = keep(client, section, "Первый абзац.", kind="translate", language="ru", base_number="0", title="Цель")
    assert response.status_code == 200
    draft = SectionDraft.objects.get(kind="translate")
    assert draft.language == "ru"
    page = client.get(urls(section)["translate"]).content.decode()
    assert "You have unsaved text from" in page
    restored = client.get(f"{urls(section)['translate']}?draft={draft.pk}").content.decode()
    assert "Первый абзац.</textarea>" in restored
    data = {"base_number": 0, "source_number": 1, "paragraphs": 1, "title": "Цель", "paragraph_0": "Первый абзац."}
    data["draft_tab"] = "tab-one"
    assert client.post(urls(section)["translate"], data).status_code == 302
    assert not SectionDraft.objects.exists()


def test_a_translation_draft_in_the_source_language_is_refused(client_for, section):
    assert keep(client_for("drafter"), section, "Text", kind="translate", language="en").status_code == 400
    assert keep(client_for("drafter"), section, "Text", kind="nonsense").status_code == 400


# --------------------------------------------------------------------------------------------
# The editor is never trusted: what is posted is rendered through the server's sanitiser
# --------------------------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    '<p onclick="alert(1)">hi</p>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1) )",
    '<a href="javascript:alert(1)">x</a>',
    "![chart](data:image/png;base64,iVBORw0KGgo=)",
    '<img src="data:image/png;base64,iVBORw0KGgo=" onerror="alert(1)">',
    "[data](data:text/html;base64,PHNjcmlwdD4=)",
    '<iframe src="https://example.org"></iframe>',
    '<span style="color:red">red</span>',
    '[ok](https://example.org/ "title")',
]


class Elements(HTMLParser):
    """Every element and attribute of an HTML fragment, as a browser would build them."""

    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


@pytest.mark.parametrize("posted", HOSTILE)
def test_html_posted_instead_of_the_editors_markdown_is_neutralised_by_the_server(client_for, section, posted):
    client = client_for("drafter")
    response = client.post(urls(section)["edit"], {"base_number": 1, "title": "Purpose", "body": f"Text. {posted}"})
    assert response.status_code == 302
    version = SectionVersion.objects.get(section=section, number=2)
    assert version.body == f"Text. {posted}"  # stored as typed: the text is Markdown, not HTML
    page = client.get(section.get_absolute_url()).content.decode()
    text = page[page.index('id="section-text"') :]
    for shown in (text[text.index(">") + 1 : text.index("</div>")], str(render_markdown(version.body))):
        for tag, attributes in Elements(shown).found:
            assert tag in {"p", "a"}, (tag, shown)
            assert not any(name.startswith("on") or name == "style" for name in attributes), shown
            assert re.match(r"^https?://", attributes.get("href", "https://")), shown


def test_a_draft_of_one_editor_is_not_restored_into_another(client_for, section):
    client = client_for("drafter")
    keep(client, section, BODY + " Typed.")
    draft = SectionDraft.objects.get()
    assert client.get(f"{urls(section)['translate']}?draft={draft.pk}").status_code == 404
    assert client.get(f"{urls(section)['edit']}?language=ru&draft={draft.pk}").status_code == 404


def test_a_text_at_the_limit_is_saved_though_the_browser_posts_crlf_line_breaks(client_for, section):
    """Browsers post each line break as two characters; the limit counts the text as stored."""
    paragraph = "x" * 998
    text = "\n\n".join([paragraph] * 201)[:MAX_BODY_LENGTH]
    assert len(text) == MAX_BODY_LENGTH
    data = {"base_number": "1", "title": "Purpose", "body": text.replace("\n", "\r\n"), "language": "en"}
    response = client_for("drafter").post(urls(section)["edit"], data)
    assert response.status_code == 302
    assert section.versions.order_by("-number").first().body == text
    refused = client_for("drafter").post(urls(section)["edit"], {**data, "base_number": "2", "body": text + "y"})
    assert refused.status_code == 200
    assert (
        "The text is too long: a section may have at most 200000 characters (it has 200001)."
        in refused.content.decode()
    )


# --------------------------------------------------------------------------------------------
# Two tabs of the same person: both drafts kept and offered; saving one leaves the other
# --------------------------------------------------------------------------------------------


def tab_of(page: str) -> str:
    return re.search(r'name="draft_tab" value="([^"]*)"', page).group(1)


def test_each_opening_of_the_editor_is_a_tab_of_its_own(client_for, section):
    client = client_for("drafter")
    first, second = (tab_of(client.get(urls(section)["edit"]).content.decode()) for _ in range(2))
    assert first and second and first != second
    assert tab_of(client.get(urls(section)["translate"]).content.decode())


def test_two_tabs_keep_two_drafts_both_offered_newest_first(client_for, section):
    client = client_for("drafter")
    keep(client, section, BODY + " Typed in the first tab.", tab="first")
    keep(client, section, BODY + " Typed in the second tab.", tab="second")
    keep(client, section, BODY + " Typed in the second tab, more.", tab="second")
    assert SectionDraft.objects.count() == 2
    page = client.get(urls(section)["edit"]).content.decode()
    assert len(re.findall(r">You have unsaved text from \d\d:\d\d</h2>", page)) == 2
    assert page.index("in the second tab, more.") < page.index("in the first tab.")
    assert page.count('id="draft-offer-title-') == 2  # each notice labelled by its own heading


def test_saving_from_one_tab_deletes_its_draft_only_and_the_other_meets_it_as_a_newer_version(client_for, section):
    client = client_for("drafter")
    first = BODY.replace("labour migration", "labour migration and mobility")
    second = BODY.replace("about return", "about voluntary return")
    keep(client, section, first, tab="first")
    keep(client, section, second, tab="second")
    saved = client.post(
        urls(section)["edit"], {"base_number": 1, "title": "Purpose", "body": first, "draft_tab": "first"}
    )
    assert saved.status_code == 302
    assert list(SectionDraft.objects.values_list("tab", flat=True)) == ["second"]

    kept = SectionDraft.objects.get()
    page = client.get(f"{urls(section)['edit']}?draft={kept.pk}").content.decode()
    assert 'name="base_number" value="1"' in page  # from the version it was begun on
    assert tab_of(page) == "second"  # typing on goes into the same draft
    assert "The section has been saved since" in page
    data = {"base_number": 1, "title": "Purpose", "body": second, "draft_tab": tab_of(page)}
    response = client.post(urls(section)["edit"], data, follow=True)
    assert "so both were kept in version 3" in response.content.decode()
    assert section.versions.get(number=3).body == first.replace("about return", "about voluntary return")
    assert not SectionDraft.objects.exists()


def test_at_most_five_drafts_per_person_and_section_are_kept_the_newest(client_for, section, users):
    client = client_for("drafter")
    for number in range(7):
        assert keep(client, section, f"{BODY} Tab {number}.", tab=f"tab-{number}").status_code == 200
    kept = set(SectionDraft.objects.values_list("tab", flat=True))
    assert kept == {f"tab-{number}" for number in range(2, 7)}
    keep(client_for("manager"), section, BODY + " Another person.", tab="tab-0")
    assert SectionDraft.objects.filter(user=users["drafter"]).count() == 5  # another person's draft counts apart
    assert SectionDraft.objects.filter(user=users["manager"]).count() == 1


def test_a_tab_id_that_is_not_one_is_kept_as_no_tab(client_for, section):
    assert keep(client_for("drafter"), section, BODY + " Typed.", tab="<script>").status_code == 200
    assert SectionDraft.objects.get().tab == ""
