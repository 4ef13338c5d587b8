"""Three-way merge of a section body: what two people editing the same version would expect."""

import random

import pytest

from concepts.merging import Conflict, MergeResult, conflict_markup, has_conflict_markers, merge3
from concepts.tests.test_textdiff import VOCAB, edit_words, make_text

BASE = (
    "The facility supports labour migration governance. It works with three ministries.\n"
    "\n"
    "Returnees receive reintegration support. Local partners deliver the training.\n"
    "\n"
    "The budget is EUR 1,500,000 over three years.\n"
)


def check_positions(base: str, result: MergeResult) -> None:
    for conflict in result.conflicts:
        assert base[conflict.base_start : conflict.base_end] == conflict.base
        assert conflict.line == base.count("\n", 0, conflict.base_start) + 1


def test_one_side_unchanged_takes_the_other():
    mine = BASE.replace("three ministries", "four ministries")
    assert merge3(BASE, mine, BASE).merged == mine
    assert merge3(BASE, BASE, mine).merged == mine
    assert merge3(BASE, BASE, BASE).merged == BASE
    assert merge3("", "", "new").merged == "new"
    assert merge3("old", "", "old").merged == ""


def test_identical_edits_are_not_a_conflict():
    both = BASE.replace("1,500,000", "1,750,000")
    result = merge3(BASE, both, both)
    assert result.clean and result.conflicts == []
    assert result.merged == both


def test_identical_edit_plus_a_further_edit_in_the_same_paragraph():
    mine = BASE.replace("1,500,000", "1,750,000").replace("three years", "four years")
    theirs = BASE.replace("1,500,000", "1,750,000")
    assert merge3(BASE, mine, theirs).merged == mine


def test_edits_to_different_paragraphs_merge():
    mine = BASE.replace("governance", "governance and mobility")
    theirs = BASE.replace("EUR 1,500,000", "EUR 1,800,000")
    result = merge3(BASE, mine, theirs)
    assert result.clean
    assert result.merged == BASE.replace("governance", "governance and mobility").replace(
        "EUR 1,500,000", "EUR 1,800,000"
    )


def test_edits_to_neighbouring_lines_merge():
    base = "Line one.\nLine two.\nLine three.\n"
    result = merge3(base, base.replace("one", "1"), base.replace("two", "2"))
    assert result.merged == "Line 1.\nLine 2.\nLine three.\n"


def test_edits_to_different_sentences_of_one_paragraph_merge():
    mine = BASE.replace("Returnees receive reintegration support.", "Returnees and their families receive support.")
    theirs = BASE.replace("Local partners deliver the training.", "Local partners and NGOs deliver the training.")
    result = merge3(BASE, mine, theirs)
    assert result.clean
    assert "Returnees and their families receive support. Local partners and NGOs deliver the training.\n" in (
        result.merged
    )


def test_different_words_of_one_long_paragraph_merge():
    rng = random.Random(11)
    words = [rng.choice(VOCAB) for _ in range(400)]
    base = " ".join(words) + "\n"
    mine_words, theirs_words = list(words), list(words)
    mine_words[50] = "MINE"
    theirs_words[300] = "THEIRS"
    result = merge3(base, " ".join(mine_words) + "\n", " ".join(theirs_words) + "\n")
    expected = list(words)
    expected[50], expected[300] = "MINE", "THEIRS"
    assert result.merged == " ".join(expected) + "\n"


def test_different_changes_to_the_same_place_conflict():
    mine = BASE.replace("EUR 1,500,000", "EUR 1,750,000")
    theirs = BASE.replace("EUR 1,500,000", "EUR 2,000,000")
    result = merge3(BASE, mine, theirs)
    assert not result.clean and result.merged is None
    assert result.conflicts == [
        Conflict(
            base="The budget is EUR 1,500,000 over three years.\n",
            mine="The budget is EUR 1,750,000 over three years.\n",
            theirs="The budget is EUR 2,000,000 over three years.\n",
            base_start=BASE.index("The budget"),
            base_end=len(BASE),
            line=5,
        )
    ]
    check_positions(BASE, result)


def test_a_conflict_covers_only_its_paragraph_and_the_rest_still_merges():
    mine = BASE.replace("EUR 1,500,000", "EUR 1,750,000").replace("three ministries", "four ministries")
    theirs = BASE.replace("EUR 1,500,000", "EUR 2,000,000").replace("Local partners", "Partners")
    result = merge3(BASE, mine, theirs)
    assert len(result.conflicts) == 1
    text = conflict_markup(result)
    assert "four ministries" in text and "Partners deliver" in text and "Local partners" not in text
    assert text.count("<<<<<<<") == 1


def test_both_inserting_different_paragraphs_at_the_same_point_conflict():
    """Decision: not kept both in some order; the merge editor shows both, prefilled."""
    mine = BASE + "\nMy new paragraph.\n"
    theirs = BASE + "\nTheir new paragraph.\n"
    result = merge3(BASE, mine, theirs)
    assert [(c.base, c.mine, c.theirs) for c in result.conflicts] == [
        ("", "My new paragraph.\n", "Their new paragraph.\n")
    ]
    check_positions(BASE, result)
    assert conflict_markup(result) == (
        BASE + "\n"
        "<<<<<<< your version\n"
        "My new paragraph.\n"
        "=======\n"
        "Their new paragraph.\n"
        ">>>>>>> saved by someone else\n"
    )


def test_both_inserting_different_paragraphs_in_the_middle_conflict():
    at = BASE.index("The budget")
    mine = BASE[:at] + "Mine.\n\n" + BASE[at:]
    theirs = BASE[:at] + "Theirs.\n\n" + BASE[at:]
    result = merge3(BASE, mine, theirs)
    assert [(c.mine, c.theirs) for c in result.conflicts] == [("Mine.\n", "Theirs.\n")]


def test_both_inserting_different_words_at_the_same_point_conflict():
    result = merge3(BASE, BASE.replace("The budget", "The total budget"), BASE.replace("The budget", "The core budget"))
    assert len(result.conflicts) == 1


def test_both_inserting_the_same_paragraph_keeps_it_once():
    both = BASE + "\nSame new paragraph.\n"
    assert merge3(BASE, both, both).merged == both


def test_a_new_paragraph_next_to_a_paragraph_the_other_edited_merges():
    at = BASE.index("The budget")
    mine = BASE[:at] + "A new paragraph.\n\n" + BASE[at:]
    theirs = BASE.replace("The budget is", "The total budget is")
    result = merge3(BASE, mine, theirs)
    assert result.merged == BASE[:at] + "A new paragraph.\n\n" + BASE[at:].replace("The budget", "The total budget")


def test_deleting_a_paragraph_the_other_edited_conflicts():
    paragraph = "Returnees receive reintegration support. Local partners deliver the training.\n\n"
    mine = BASE.replace(paragraph, "")
    theirs = BASE.replace("Local partners", "Partners")
    result = merge3(BASE, mine, theirs)
    assert len(result.conflicts) == 1
    conflict = result.conflicts[0]
    assert conflict.mine == ""
    assert "Partners deliver the training." in conflict.theirs
    assert conflict.line == 3
    check_positions(BASE, result)
    text = conflict_markup(result)
    assert "<<<<<<< your version\n=======\nReturnees receive" in text


def test_deleting_a_paragraph_next_to_one_the_other_edited_merges():
    paragraph = "Returnees receive reintegration support. Local partners deliver the training.\n\n"
    result = merge3(BASE, BASE.replace(paragraph, ""), BASE.replace("three years", "four years"))
    assert result.merged == BASE.replace(paragraph, "").replace("three years", "four years")


def test_cyrillic_and_crlf_texts_merge():
    base = "Концепция миграционной политики.\r\n\r\nЦели и задачи программы.\r\n"
    mine = base.replace("миграционной", "национальной миграционной")
    theirs = base.replace("Цели и задачи", "Основные цели и задачи")
    result = merge3(base, mine, theirs)
    assert result.merged == "Концепция национальной миграционной политики.\r\n\r\nОсновные цели и задачи программы.\r\n"


def test_conflict_markup_labels_can_be_translated_and_a_clean_result_is_unchanged():
    result = merge3(BASE, BASE.replace("three years", "two years"), BASE.replace("three years", "five years"))
    text = conflict_markup(result, mine_label="votre version", theirs_label="enregistrée par quelqu'un d'autre")
    assert "<<<<<<< votre version\n" in text
    assert "\n>>>>>>> enregistrée par quelqu'un d'autre\n" in text
    clean = merge3(BASE, BASE, BASE.replace("three", "3"))
    assert conflict_markup(clean) == clean.merged


def test_markers_end_up_on_their_own_lines_even_without_a_final_line_break():
    base = "Intro.\n\nLast paragraph"
    result = merge3(base, "Intro.\n\nLast paragraph, mine", "Intro.\n\nLast paragraph, theirs")
    assert conflict_markup(result) == (
        "Intro.\n\n"
        "<<<<<<< your version\nLast paragraph, mine\n=======\nLast paragraph, theirs\n>>>>>>> saved by someone else\n"
    )


def test_has_conflict_markers():
    result = merge3(BASE, BASE.replace("three years", "two years"), BASE.replace("three years", "five years"))
    assert has_conflict_markers(conflict_markup(result))
    assert has_conflict_markers(conflict_markup(result, mine_label="x", theirs_label="y"))
    assert not has_conflict_markers(BASE)
    # a Markdown heading underlined with "=" is not a conflict
    assert not has_conflict_markers("Title\n=======\n\nText\n")


@pytest.mark.parametrize("seed", range(15))
def test_random_edits_to_different_paragraphs_always_merge(seed):
    rng = random.Random(seed)
    base = make_text(rng, 600)
    paragraphs = base.split("\n\n")
    mine_p, theirs_p = list(paragraphs), list(paragraphs)
    for i in range(len(paragraphs)):
        if i % 2 == 0:
            mine_p[i] = edit_words(rng, paragraphs[i], 0.1)[0]
        else:
            theirs_p[i] = edit_words(rng, paragraphs[i], 0.1)[0]
    expected = "\n\n".join(mine_p[i] if i % 2 == 0 else theirs_p[i] for i in range(len(paragraphs)))
    result = merge3(base, "\n\n".join(mine_p), "\n\n".join(theirs_p))
    assert result.clean
    assert result.merged == expected


@pytest.mark.parametrize("seed", range(15))
def test_random_edits_in_the_same_paragraphs_merge_or_conflict_consistently(seed):
    rng = random.Random(100 + seed)
    base = make_text(rng, 800)
    mine, _ = edit_words(rng, base, 0.03)
    theirs, _ = edit_words(rng, base, 0.03)
    result = merge3(base, mine, theirs)
    check_positions(base, result)
    for conflict in result.conflicts:
        assert conflict.mine != conflict.theirs
    text = conflict_markup(result)
    assert has_conflict_markers(text) == (not result.clean)
    if result.clean:
        assert result.merged == text
    # against an unchanged side, each version comes back as it is
    assert merge3(base, mine, base).merged == mine
    assert merge3(base, base, theirs).merged == theirs
