"""Three-way merge of a section body: what two people editing the same version would expect."""

import random

import pytest

from concepts.merging import Conflict, MergeResult, Resolution, keep_both, merge3, resolve
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
    text = resolve(result, [Resolution("mine")])
    assert "four ministries" in text and "Partners deliver" in text and "Local partners" not in text
    assert "EUR 1,750,000" in text and "EUR 2,000,000" not in text


def test_both_inserting_different_paragraphs_at_the_same_point_conflict():
    """Decision: not kept both in some order; the person saving chooses, and may keep both."""
    mine = BASE + "\nMy new paragraph.\n"
    theirs = BASE + "\nTheir new paragraph.\n"
    result = merge3(BASE, mine, theirs)
    assert [(c.base, c.mine, c.theirs) for c in result.conflicts] == [
        ("", "My new paragraph.\n", "Their new paragraph.\n")
    ]
    check_positions(BASE, result)
    assert resolve(result, [Resolution("both")]) == BASE + "\nMy new paragraph.\n\nTheir new paragraph.\n"


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
    assert resolve(result, [Resolution("mine")]) == mine
    assert "Partners deliver the training." in resolve(result, [Resolution("both")])


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


PARAGRAPHS = "Purpose.\n\nThe State provides legal aid.\n\nFunding comes from the budget.\n"
MINE = PARAGRAPHS.replace("provides legal aid", "provides free legal aid")
THEIRS = PARAGRAPHS.replace("provides legal aid", "provides public legal aid")


def test_each_choice_resolves_the_passage():
    result = merge3(PARAGRAPHS, MINE, THEIRS)
    assert resolve(result, [Resolution("mine")]) == MINE
    assert resolve(result, [Resolution("theirs")]) == THEIRS
    assert resolve(result, [Resolution("both")]) == (
        "Purpose.\n\nThe State provides free legal aid.\n\nThe State provides public legal aid.\n\n"
        "Funding comes from the budget.\n"
    )
    edited = resolve(result, [Resolution("edit", "The State guarantees free legal aid.")])
    assert edited == PARAGRAPHS.replace("provides legal aid", "guarantees free legal aid")


def test_an_edited_passage_keeps_its_place_between_paragraphs_whatever_line_breaks_were_typed():
    result = merge3(PARAGRAPHS, MINE, THEIRS)
    expected = PARAGRAPHS.replace("The State provides legal aid.", "Edited.")
    assert resolve(result, [Resolution("edit", "\r\nEdited.\r\n\r\n")]) == expected
    assert resolve(result, [Resolution("edit", "  \n")]) == "Purpose.\n\n\nFunding comes from the budget.\n"


def test_keeping_both_list_items_keeps_one_list():
    base = "- labour\n- asylum\n- return\n"
    result = merge3(base, base.replace("asylum", "asylum and protection"), base.replace("asylum", "statelessness"))
    assert resolve(result, [Resolution("both")]) == "- labour\n- asylum and protection\n- statelessness\n- return\n"


def test_keeping_both_does_not_repeat_what_both_kept():
    result = merge3("A.\n\nB.", "A.\n\nB mine.", "A.")
    assert [(c.mine, c.theirs) for c in result.conflicts] == [("A.\n\nB mine.", "A.")]
    assert keep_both(result.conflicts[0]) == "A.\n\nB mine."


def test_every_conflict_needs_its_own_resolution_in_order():
    base = "One.\n\nTwo.\n\nThree.\n\nFour.\n"
    mine = base.replace("One.", "One mine.").replace("Four.", "Four mine.")
    theirs = base.replace("One.", "One theirs.").replace("Four.", "Four theirs.")
    result = merge3(base, mine, theirs)
    assert len(result.conflicts) == 2
    assert resolve(result, [Resolution("theirs"), Resolution("mine")]) == (
        "One theirs.\n\nTwo.\n\nThree.\n\nFour mine.\n"
    )
    with pytest.raises(ValueError):
        resolve(result, [Resolution("mine")])
    with pytest.raises(ValueError):
        resolve(result, [Resolution("mine"), Resolution("neither")])


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
    choices = [Resolution("mine")] * len(result.conflicts)
    if result.clean:
        assert result.merged == resolve(result, choices)
    else:
        # nothing either person typed is lost: keeping both holds every word of each side's passages
        both = resolve(result, [Resolution("both")] * len(result.conflicts))
        for conflict in result.conflicts:
            assert set(conflict.mine.split()) <= set(both.split())
            assert set(conflict.theirs.split()) <= set(both.split())
    # against an unchanged side, each version comes back as it is
    assert merge3(base, mine, base).merged == mine
    assert merge3(base, base, theirs).merged == theirs


def test_two_words_inserted_either_side_of_the_same_space_are_a_conflict_not_both_kept():
    # With another paragraph changed too, the word diff could align the two insertions on either
    # side of the space before "legal" and merge them silently into "public free legal aid".
    base = "Intro.\n\nThe state provides legal aid.\n\nEnd."
    mine = "Intro.\n\nThe state provides free legal aid.\n\nEnd."
    theirs = "Intro changed.\n\nThe state provides public legal aid.\n\nEnd."
    result = merge3(base, mine, theirs)
    assert [part.mine for part in result.parts if isinstance(part, Conflict)] == [
        "The state provides free legal aid.\n"
    ]
    assert "public free" not in "".join(part for part in result.parts if isinstance(part, str))


def test_an_insertion_in_one_paragraph_still_merges_with_a_change_to_another():
    base = "Intro.\n\nThe state provides legal aid.\n\nEnd."
    mine = "Intro.\n\nThe state provides free legal aid.\n\nEnd."
    theirs = "Intro changed.\n\nThe state provides legal aid.\n\nEnd."
    assert merge3(base, mine, theirs).parts == ("Intro changed.\n\nThe state provides free legal aid.\n\nEnd.",)
