"""Accepting a suggestion writes exactly the words the reviewer typed, never words run together."""

import pytest
from django.core.exceptions import ValidationError

from concepts import services
from concepts.tests.factories import ConceptFactory, section_with_version

pytestmark = pytest.mark.django_db

LEGAL_AID = "Everyone has the right to free legal aid. The State pays for it.\n\nAppeals go to the courts."


@pytest.fixture
def concept(project):
    return ConceptFactory(project=project)


def accepted_body(concept, users, body, quote, mode, typed):
    section = section_with_version(concept, title="Rights", body=body, author=users["drafter"])
    comment = services.comment_add(
        section=section,
        version=section.head,
        author=users["reviewer"],
        body="Wording.",
        quote=quote,
        suggestion_mode=mode,
        suggested_text=typed,
        notify=False,
    )
    return services.suggestion_accept(comment=comment, user=users["drafter"]).version.body


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (" and a right of appeal to a court", "free legal aid and a right of appeal to a court. The State"),
        ("and a right of appeal to a court", "free legal aid and a right of appeal to a court. The State"),
        (", including appeals", "free legal aid, including appeals. The State"),
        ("; appeals included", "free legal aid; appeals included. The State"),
        (" (see Article 5)", "free legal aid (see Article 5). The State"),
        ("(see Article 5)", "free legal aid (see Article 5). The State"),
        ("-related costs", "free legal aid-related costs. The State"),
        ("— a right", "free legal aid — a right. The State"),
    ],
)
def test_an_insertion_after_a_word_is_written_with_one_space_between_words(concept, users, typed, expected):
    body = accepted_body(concept, users, LEGAL_AID, "free legal aid", "insert_after", typed)
    assert expected in body
    assert "  " not in body


def test_cyrillic_words_are_kept_apart(concept, users):
    body = accepted_body(
        concept,
        users,
        "Каждый имеет право на бесплатную правовую помощь.",
        "правовую помощь",
        "insert_after",
        "и на обжалование в суде",
    )
    assert body == "Каждый имеет право на бесплатную правовую помощь и на обжалование в суде."


def test_cyrillic_punctuation_sits_against_the_word(concept, users):
    body = accepted_body(
        concept,
        users,
        "Каждый имеет право на бесплатную правовую помощь.",
        "правовую помощь",
        "insert_after",
        ", включая обжалование",
    )
    assert body == "Каждый имеет право на бесплатную правовую помощь, включая обжалование."


def test_a_sentence_inserted_after_a_passage_at_the_end_of_a_paragraph(concept, users):
    body = accepted_body(concept, users, LEGAL_AID, "The State pays for it.", "insert_after", "Fees are waived.")
    assert body == (
        "Everyone has the right to free legal aid. The State pays for it. Fees are waived.\n\nAppeals go to the courts."
    )


def test_an_insertion_at_the_very_end_of_the_text(concept, users):
    body = accepted_body(concept, users, LEGAL_AID, "to the courts.", "insert_after", " Their decisions are final.")
    assert body.endswith("Appeals go to the courts. Their decisions are final.")


def test_a_new_paragraph_typed_with_its_line_breaks_is_kept_as_typed(concept, users):
    body = accepted_body(concept, users, LEGAL_AID, "The State pays for it.", "insert_after", "\n\nA new paragraph.")
    assert "The State pays for it.\n\nA new paragraph.\n\nAppeals go" in body


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("legal aid free of charge", "right to legal aid free of charge. The State"),
        (" legal aid free of charge", "right to  legal aid free of charge. The State"),  # as typed, even so
        ("публичную правовую помощь", "right to публичную правовую помощь. The State"),
    ],
)
def test_a_replacement_is_written_exactly_as_typed(concept, users, typed, expected):
    assert expected in accepted_body(concept, users, LEGAL_AID, "free legal aid", "replace", typed)


def test_an_empty_insertion_is_refused(concept, users):
    section = section_with_version(concept, title="Rights", body=LEGAL_AID, author=users["drafter"])
    with pytest.raises(ValidationError) as error:
        services.comment_add(
            section=section,
            version=section.head,
            author=users["reviewer"],
            body="x",
            quote="legal aid",
            suggestion_mode="insert_after",
            suggested_text="  ",
        )
    assert "suggested_text" in error.value.message_dict


def test_the_comment_form_keeps_the_leading_space_and_accepting_reads_the_exact_words(client_for, concept, users):
    section = section_with_version(concept, title="Rights", body=LEGAL_AID, author=users["drafter"])
    url = f"/concepts/{concept.pk}/sections/{section.pk}/"
    posted = client_for("reviewer").post(
        f"{url}comments/",
        {
            "version_number": 1,
            "body": "Add the appeal.",
            "quote": "free legal aid",
            "suggestion_mode": "insert_after",
            "suggested_text": " and a right of appeal to a court",
        },
    )
    assert posted.status_code == 302
    comment = section.comments.get()
    assert comment.suggested_text == " and a right of appeal to a court"
    page = client_for("drafter").get(url).content.decode()
    assert "free legal aid<ins> and a right of appeal to a court</ins>" in page
    accepted = client_for("drafter").post(f"/concepts/{concept.pk}/comments/{comment.pk}/accept/")
    assert accepted.status_code == 302
    section.refresh_from_db()
    assert "the right to free legal aid and a right of appeal to a court. The State" in section.head.body


def test_an_insertion_typed_without_a_space_is_shown_in_place_with_it(client_for, concept, users):
    section = section_with_version(concept, title="Rights", body=LEGAL_AID, author=users["drafter"])
    services.comment_add(
        section=section,
        version=section.head,
        author=users["reviewer"],
        body="Add.",
        quote="free legal aid",
        suggestion_mode="insert_after",
        suggested_text="and appeals",
        notify=False,
    )
    page = client_for("drafter").get(f"/concepts/{concept.pk}/sections/{section.pk}/").content.decode()
    assert "free legal aid<ins> and appeals</ins>" in page
