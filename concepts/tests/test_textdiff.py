"""Word-level diff of two versions of a section: what a reader of the comparison notices."""

import random
import re

import pytest

from concepts import textdiff
from concepts.textdiff import (
    DELETE,
    EQUAL,
    INSERT,
    Op,
    diff_stats,
    diff_words,
    inline_html,
    matching_blocks,
    side_by_side,
    tokenize,
)

VOCAB = (  # noqa: SIM905 - easier to read than a list literal
    "the migration partnership facility concept policy national government ministry labour mobility returnees "
    "reintegration border management capacity stakeholders implementation framework action plan objective "
    "outcome indicator baseline budget donor partner programme strategy diaspora remittances skills training "
    "and of to in for with on by from is are will be should this that which"
).split()
CYRILLIC = "концепция миграционной политики министерство труда возвращенцы реинтеграция и в на".split()  # noqa: SIM905


def make_text(rng: random.Random, words: int, vocab=VOCAB) -> str:
    """Paragraphs of sentences from a vocabulary."""
    paragraphs, sentence, paragraph = [], [], []
    for _ in range(words):
        sentence.append(rng.choice(vocab))
        if len(sentence) >= rng.randint(6, 20):
            paragraph.append(" ".join(sentence).capitalize() + rng.choice([".", ".", ".", "?", ";"]))
            sentence = []
            if len(paragraph) >= rng.randint(2, 5):
                paragraphs.append(" ".join(paragraph))
                paragraph = []
    if sentence:
        paragraph.append(" ".join(sentence) + ".")
    if paragraph:
        paragraphs.append(" ".join(paragraph))
    return "\n\n".join(paragraphs)


def edit_words(rng: random.Random, text: str, rate: float, vocab=VOCAB) -> tuple[str, int]:
    """Delete, replace or insert words at ``rate``; returns the new text and how many old words went."""
    parts = re.split(r"( +)", text)
    removed = 0
    out = []
    for part in parts:
        if not part.strip() or part.isspace():
            out.append(part)
            continue
        r = rng.random()
        if r < rate / 3:
            removed += 1
            out.append("")
        elif r < 2 * rate / 3:
            new = rng.choice(vocab)
            removed += new != part
            out.append(new)
        elif r < rate:
            out.append(part + " " + rng.choice(vocab))
        else:
            out.append(part)
    return "".join(out), removed


def old_of(ops):
    return "".join(op.text for op in ops if op.kind != INSERT)


def new_of(ops):
    return "".join(op.text for op in ops if op.kind != DELETE)


def assert_well_formed(ops, old, new):
    assert old_of(ops) == old
    assert new_of(ops) == new
    assert all(op.text for op in ops)
    assert all(a.kind != b.kind for a, b in zip(ops, ops[1:], strict=False))
    assert all(not (a.kind == INSERT and b.kind == DELETE) for a, b in zip(ops, ops[1:], strict=False))


# --- tokenising ---------------------------------------------------------------------------------

TRICKY = [
    "",
    " ",
    "\n",
    "\r\n\r\n",
    "word",
    "Hello, world!\r\nSecond line\twith a tab.\n\n\nThird.",
    "Концепция миграционной политики — 2025 г.\r\n«Цели» и задачи.",
    "Emoji 👍🏽 and family 👨\u200d👩\u200d👧 and flags 🇲🇩🇺🇦 in text ✔︎",
    "Cafe\u0301 with a combining accent, naïve, Zürich; हिन्दी भाषा",
    "Budget: EUR 1,500,000.50 (≈ 12%) for 2025-2027; don't l'homme 'quoted'",
    "**bold** _em_ `code` [link](http://example.org/a_b?c=d) <script>alert(1)</script>",
    "  leading and trailing spaces  ",
    "\u2028line separator\u00a0nbsp\x0bvt\x0cff\x85nel",
    "\ud7ff\ue000\U0010fffd private use",
]


@pytest.mark.parametrize("text", TRICKY)
def test_tokens_join_back_to_the_text(text):
    assert "".join(tokenize(text)) == text


def test_tokens_on_random_strings_join_back():
    rng = random.Random(7)
    alphabet = "abc xyz АБВгдё\t\n\r,.;:!?'’-_*#`<>&\"0123456789 \u0301\u200d👍🏽🇲€ "
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        assert "".join(tokenize(text)) == text


def test_words_numbers_and_line_breaks_are_single_tokens():
    assert tokenize("Don't pay EUR 1,500.75\r\n\r\nnow") == [
        "Don't",
        " ",
        "pay",
        " ",
        "EUR",
        " ",
        "1,500.75",
        "\r\n",
        "\r\n",
        "now",
    ]
    assert tokenize("café") == ["café"]
    assert tokenize("Cafe\u0301!") == ["Cafe\u0301", "!"]
    assert tokenize("_em_") == ["_", "em", "_"]


# --- diff_words ---------------------------------------------------------------------------------


def test_an_inserted_word_is_the_only_change():
    assert diff_words("The migration concept", "The national migration concept") == [
        Op(EQUAL, "The "),
        Op(INSERT, "national "),
        Op(EQUAL, "migration concept"),
    ]


def test_a_replaced_word_is_deleted_and_inserted_alone():
    ops = diff_words("The budget is 1,500 EUR in 2025.", "The budget is 1,750 EUR in 2025.")
    assert ops == [
        Op(EQUAL, "The budget is "),
        Op(DELETE, "1,500"),
        Op(INSERT, "1,750"),
        Op(EQUAL, " EUR in 2025."),
    ]


def test_cyrillic_words():
    ops = diff_words("Концепция миграционной политики.", "Концепция национальной миграционной политики.")
    assert ops == [
        Op(EQUAL, "Концепция "),
        Op(INSERT, "национальной "),
        Op(EQUAL, "миграционной политики."),
    ]


def test_a_deleted_sentence_is_one_run():
    ops = diff_words("One sentence. Two sentence. Three sentence.", "One sentence. Three sentence.")
    assert [op for op in ops if op.kind != EQUAL] == [Op(DELETE, "Two sentence. ")]


def test_a_new_paragraph_is_one_insert_and_paragraphs_stay():
    old = "First paragraph.\n\nSecond paragraph."
    new = "First paragraph.\n\nA new paragraph.\n\nSecond paragraph."
    assert diff_words(old, new) == [
        Op(EQUAL, "First paragraph.\n\n"),
        Op(INSERT, "A new paragraph.\n\n"),
        Op(EQUAL, "Second paragraph."),
    ]


def test_a_paragraph_added_after_an_edited_one_stays_separate():
    old = "Objective 1: borders.\n\nObjective 2: returnees."
    new = "Objective 1: borders.\n\nObjective 2: returnees and families.\n\nObjective 3: diaspora."
    ops = diff_words(old, new)
    assert [op for op in ops if op.kind != EQUAL] == [
        Op(INSERT, " and families"),
        Op(INSERT, "\n\nObjective 3: diaspora."),
    ] or [op.text for op in ops if op.kind == INSERT] == [" and families", "\n\nObjective 3: diaspora."]
    assert_well_formed(ops, old, new)


def test_a_rewritten_phrase_reads_as_one_replacement():
    # the single spaces between changed words are not kept as tiny unchanged islands
    ops = diff_words("We will coordinate the plan.", "We shall lead the plan.")
    assert ops == [Op(EQUAL, "We "), Op(DELETE, "will coordinate"), Op(INSERT, "shall lead"), Op(EQUAL, " the plan.")]


def test_unchanged_empty_and_one_sided():
    assert diff_words("", "") == []
    assert diff_words("same\ntext", "same\ntext") == [Op(EQUAL, "same\ntext")]
    assert diff_words("", "new text") == [Op(INSERT, "new text")]
    assert diff_words("old text", "") == [Op(DELETE, "old text")]


def test_line_ending_changes_are_visible_changes():
    ops = diff_words("a\nb", "a\r\nb")
    assert_well_formed(ops, "a\nb", "a\r\nb")
    assert diff_stats(ops).has_changes


@pytest.mark.parametrize("seed", range(40))
def test_ops_rebuild_both_versions_after_random_word_edits(seed):
    rng = random.Random(seed)
    vocab = VOCAB + CYRILLIC if seed % 2 else VOCAB
    old = make_text(rng, rng.randint(0, 400), vocab)
    if seed % 5 == 0:
        old = old.replace("\n", "\r\n")
    new, _ = edit_words(rng, old, rng.choice([0.01, 0.05, 0.2, 0.6]), vocab)
    assert_well_formed(diff_words(old, new), old, new)


@pytest.mark.parametrize("seed", range(40))
def test_ops_rebuild_both_versions_after_random_character_edits(seed):
    rng = random.Random(1000 + seed)
    alphabet = "ab cd\n\n\r\n\t,.!?ёЖ👍🏽\u0301-_*'"
    old = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
    chars = list(old)
    for _ in range(rng.randint(0, 30)):
        pos = rng.randint(0, len(chars))
        action = rng.random()
        if action < 0.4 and pos < len(chars):
            del chars[pos]
        elif action < 0.7 and pos < len(chars):
            chars[pos] = rng.choice(alphabet)
        else:
            chars.insert(pos, rng.choice(alphabet))
    new = "".join(chars)
    assert_well_formed(diff_words(old, new), old, new)


def test_unrelated_texts_still_rebuild():
    rng = random.Random(3)
    old, new = make_text(rng, 2000), make_text(rng, 2000)
    ops = diff_words(old, new)
    assert_well_formed(ops, old, new)


def test_a_200_kb_pair_with_5_percent_changed_words_is_not_all_replaced():
    rng = random.Random(42)
    old = make_text(rng, 30_000)
    assert len(old) > 200_000
    new, removed = edit_words(rng, old, 0.05)
    ops = diff_words(old, new)
    assert_well_formed(ops, old, new)
    stats = diff_stats(ops)
    words = stats.deleted + stats.unchanged
    assert stats.deleted < 0.10 * words
    assert stats.inserted < 0.10 * words
    # close to the number of words really removed (a minimal diff may reuse a few of them)
    assert 0.7 * removed <= stats.deleted <= 1.3 * removed


def test_when_myers_runs_out_of_time_the_diff_is_redone_exactly(monkeypatch):
    rng = random.Random(5)
    old = make_text(rng, 3000)
    new, removed = edit_words(rng, old, 0.05)
    expected = diff_stats(diff_words(old, new))
    monkeypatch.setattr(textdiff, "MYERS_TIME_LIMIT", 1e-9)  # gives up at once on everything
    ops = diff_words(old, new)
    assert_well_formed(ops, old, new)
    stats = diff_stats(ops)
    assert stats.deleted < 0.10 * (stats.deleted + stats.unchanged)
    assert abs(stats.deleted - expected.deleted) <= 0.1 * removed
    # and with the linear-memory fallback used for very large regions
    monkeypatch.setattr(textdiff, "_LCS_MATRIX_LIMIT", 0)
    ops = diff_words(old, new)
    assert_well_formed(ops, old, new)
    stats = diff_stats(ops)
    assert stats.deleted < 0.10 * (stats.deleted + stats.unchanged)


def test_more_distinct_words_than_fit_below_the_surrogates():
    old = " ".join(f"w{i}" for i in range(60_000))
    new = old.replace("w30000 ", "").replace("w59999", "end")
    ops = diff_words(old, new)
    assert_well_formed(ops, old, new)
    assert [op for op in ops if op.kind != EQUAL] == [Op(DELETE, "w30000 "), Op(DELETE, "w59999"), Op(INSERT, "end")]


def test_too_many_distinct_words_to_encode_are_aligned_directly(monkeypatch):
    monkeypatch.setattr(textdiff, "_MAX_DISTINCT", 1)
    ops = diff_words("The migration concept", "The national migration concept")
    assert ops == [Op(EQUAL, "The "), Op(INSERT, "national "), Op(EQUAL, "migration concept")]


def test_matching_blocks_of_any_hashables():
    assert matching_blocks(["a", "b", "c"], ["a", "x", "c"]) == [(0, 0, 1), (2, 2, 1), (3, 3, 0)]
    assert matching_blocks([], []) == [(0, 0, 0)]
    assert matching_blocks([1, 2, 3], [1, 2, 3]) == [(0, 0, 3), (3, 3, 0)]


# --- stats and rendering ------------------------------------------------------------------------


def test_diff_stats_counts_words_not_spaces_or_punctuation():
    stats = diff_stats(diff_words("The migration concept, draft.", "The national migration concept, final."))
    assert (stats.inserted, stats.deleted, stats.unchanged, stats.has_changes) == (2, 1, 3, True)
    assert diff_stats(diff_words("same", "same")).has_changes is False


def test_html_is_escaped():
    ops = diff_words("Plan <b>A</b>", "Plan <script>alert('x')</script>")
    html = inline_html(ops)
    assert "<script" not in html
    assert "script&gt;alert(&#x27;x&#x27;)&lt;/script" in html
    assert "<b>" not in html
    for old_html, new_html, _ in side_by_side(ops):
        assert "<script>" not in old_html + new_html
        assert "<b>" not in old_html + new_html


def test_inline_html_marks_changes():
    html = inline_html(diff_words("The migration concept", "The national migration concept"))
    assert html == "The <ins>national </ins>migration concept"
    html = inline_html(diff_words("a b c", "a x c"))
    assert html == "a <del>b</del><ins>x</ins> c"


def test_a_paragraph_split_shows_its_line_breaks():
    html = inline_html(diff_words("First part. Second part.", "First part.\n\nSecond part."))
    assert "<ins>¶\n¶\n</ins>" in html


def numbered(n: int, start: int = 0) -> str:
    return " ".join(f"w{i}" for i in range(start, start + n))


def test_inline_folds_long_unchanged_stretches_and_keeps_context():
    old = numbered(300)
    new = old.replace("w100 ", "CHANGED ").replace("w250 ", "ALSO ")
    html = inline_html(diff_words(old, new), context=10)
    assert html.count('class="diff-fold"') == 3
    assert "… 90 unchanged words …" in html  # w0..w89 before the first change
    assert "… 129 unchanged words …" in html  # w111..w239 between the changes
    assert "… 39 unchanged words …" in html  # w261..w299 after the last change
    for kept in ("w90 ", "w99 ", "w101 ", "w110 ", "w240 ", "w249 ", "w251 ", "w260 "):
        assert kept in html
    for hidden in ("w89 ", "w111 ", "w239 ", "w261 "):
        assert hidden not in html
    assert "<del>w100</del><ins>CHANGED</ins>" in html


def test_short_unchanged_stretches_are_not_folded():
    old = numbered(40)
    # 10 words before the first change, 19 between the changes (< 2 * 10), 10 after the last one
    html = inline_html(diff_words(old, old.replace("w10 ", "x ").replace("w30 ", "y ")), context=10)
    assert "diff-fold" not in html
    assert "w0 " in html and "w20 " in html and "w39" in html


def test_an_unchanged_text_folds_entirely_and_labels_can_be_translated():
    ops = diff_words("one two three", "one two three")
    assert inline_html(ops) == '<span class="diff-fold">… 3 unchanged words …</span>'
    html = inline_html(ops, fold_label=lambda n: f"{n} mots <inchangés>")
    assert html == '<span class="diff-fold">3 mots &lt;inchangés&gt;</span>'


def test_side_by_side_rows_follow_paragraphs():
    old = "Intro.\n\nSecond paragraph here.\n\nThird."
    new = "Intro.\n\nSecond paragraph there.\n\nInserted paragraph.\n\nThird."
    rows = side_by_side(diff_words(old, new))
    assert [tuple(row) for row in rows] == [
        ("Intro.", "Intro.", False),
        ("Second paragraph <del>here</del>.", "Second paragraph <ins>there</ins>.", False),
        ("", "<ins>Inserted paragraph.</ins>", False),
        ("Third.", "Third.", False),
    ]


def test_side_by_side_deleted_paragraph_has_an_empty_new_cell():
    rows = side_by_side(diff_words("A.\n\nGone.\n\nB.", "A.\n\nB."))
    assert [tuple(row) for row in rows] == [
        ("A.", "A.", False),
        ("<del>Gone.</del>", "", False),
        ("B.", "B.", False),
    ]


def test_side_by_side_folds_far_unchanged_paragraphs():
    paragraphs = [numbered(20, start=100 * p) for p in range(10)]
    old = "\n\n".join(paragraphs)
    new = old.replace("w500", "CHANGED")
    rows = side_by_side(diff_words(old, new), context=10)
    folded = [row for row in rows if row.folded]
    assert len(folded) == 2
    assert folded[0].old_html == folded[0].new_html == '<span class="diff-fold">… 90 unchanged words …</span>'
    assert folded[1].old_html == '<span class="diff-fold">… 70 unchanged words …</span>'
    changed = [row for row in rows if "<del>" in row.old_html]
    assert len(changed) == 1 and "<ins>CHANGED</ins>" in changed[0].new_html
    # the paragraph just before the change is cut to its last 10 words, the one after to its first 10
    assert "… w410 " in rows[rows.index(changed[0]) - 1].old_html
    assert rows[rows.index(changed[0]) + 1].old_html.endswith("w609 …")


def test_side_by_side_of_an_unchanged_text_is_one_folded_row():
    rows = side_by_side(diff_words("a b\n\nc", "a b\n\nc"))
    assert [tuple(row) for row in rows] == [
        (
            '<span class="diff-fold">… 3 unchanged words …</span>',
            '<span class="diff-fold">… 3 unchanged words …</span>',
            True,
        )
    ]
