"""Comparisons a person can read: every change counted and reachable one after the other, told by
a word as well as by colour, paragraphs kept side by side, and an editions comparison that shows
what differs and folds what does not into one line per run."""

import datetime
import re
from html import unescape

import pytest

from concepts import services
from concepts.comparison import marked_changes, marked_rows
from concepts.tests.factories import ConceptFactory, section_with_version
from concepts.textdiff import diff_words, inline_html, side_by_side

pytestmark = pytest.mark.django_db

LANGUAGE_COOKIE = "django_language"
FIRST_DAY = datetime.date(2020, 1, 15)


@pytest.fixture
def concept(project):
    return ConceptFactory(project=project)


def _stops(page: str) -> int:
    return len(re.findall(r"\sdata-change[\s>]", page))


def test_a_replacement_is_one_change_and_each_side_is_announced_in_words():
    html = inline_html(diff_words("The plan runs to 2030 in five regions.", "The plan runs to 2035 in six regions."))
    marked, count = marked_changes(html)
    assert count == 2
    assert marked.count('<span class="diff-change" data-change tabindex="-1">') == 2
    assert '<span class="visually-hidden">Deleted: </span><del>2030</del>' in marked
    assert '<span class="visually-hidden">Inserted: </span><ins>2035</ins>' in marked
    assert re.sub(r"<[^>]+>|Deleted: |Inserted: ", "", marked) == re.sub(r"<[^>]+>", "", html)


def test_an_insertion_alone_and_a_deletion_alone_are_one_change_each():
    old, new = "Alpha beta gamma delta epsilon zeta eta theta.", "Alpha gamma delta epsilon zeta eta theta iota."
    marked, count = marked_changes(inline_html(diff_words(old, new)))
    assert count == 2
    assert '<span class="visually-hidden">Deleted: </span><del>beta </del></span>' in marked
    assert '<span class="visually-hidden">Inserted: </span><ins> iota</ins></span>' in marked


def test_an_expandable_fold_keeps_exactly_the_words_it_stands_for():
    old = "Start.\n\n" + " ".join(f"word{n}" for n in range(200)) + "\n\nThe <end> & more."
    new = old.replace("Start.", "Begin.").replace("word150", "term150").replace("<end>", "<finish>")
    html = inline_html(diff_words(old, new), context=5, expandable=True)
    assert html.count('<span class="diff-fold-run">') == 2 and html.count(" hidden>") == 2
    unfolded = re.sub(r'<span class="diff-fold-run">(?:[^<]|<span class="diff-fold">[^<]*</span>)*</span>', "", html)
    unfolded = re.sub(r"<del>[^<]*</del>", "", unfolded)
    assert unescape(re.sub(r"<[^>]+>", "", unfolded)) == new
    plain = inline_html(diff_words(old, new), context=5)  # without the option: as before, nothing hidden
    assert "diff-fold-text" not in plain and plain.count('<span class="diff-fold">') == 2


def test_side_by_side_rows_with_a_change_are_the_stops_and_folds_are_not():
    old = "\n\n".join(f"Paragraph {n} stays as it was, word for word, all along." for n in range(30))
    new = old.replace("Paragraph 3 stays", "Paragraph 3 now stays").replace("Paragraph 25 stays", "Paragraph 25 x")
    rows, count = marked_rows(side_by_side(diff_words(old, new), context=5))
    assert count == 2
    assert [row["changed"] for row in rows].count(True) == 2
    assert any(row["folded"] for row in rows) and not any(row["changed"] for row in rows if row["folded"])


def test_an_expandable_side_by_side_fold_keeps_exactly_the_words_it_stands_for():
    old = "\n\n".join(f"Paragraph {n} stays as it was, <word> for word & all along." for n in range(30))
    new = old.replace("Paragraph 3 stays", "Paragraph 3 now stays").replace("Paragraph 25 stays", "Paragraph 25 x")
    rows = side_by_side(diff_words(old, new), context=5, expandable=True)
    folded = [row for row in rows if row.folded]
    assert len(folded) == 3  # before the first change, between the two, after the last
    shown = []
    for row in rows:
        assert row.old_html == row.new_html or not row.folded
        cell = row.new_html
        if row.folded:
            assert cell.count('<span class="diff-fold-run">') == 1 and cell.count(" hidden>") == 1
            cell = re.sub(
                r'<span class="diff-fold-run">(?:[^<]|<span class="diff-fold">[^<]*</span>)*</span>', "", cell
            )
        else:
            cell = re.sub(r'<span class="diff-trim">[^<]*</span>|<del>[^<]*</del>', "", cell)
        shown.append(unescape(re.sub(r"<[^>]+>", "", cell)).strip())
    # Every fold opened and every "…" gone, the rows read the new text, each word once (a paragraph
    # cut at a fold's edge is split between its row and the fold's).
    assert " ".join(shown).split() == new.split()
    assert "Paragraph 14 stays as it was, &lt;word&gt; for word &amp; all along.\n\nParagraph 15" in folded[1].old_html
    plain = side_by_side(diff_words(old, new), context=5)  # without the option: as before, nothing hidden
    assert not any("diff-fold-text" in row.old_html or "diff-trim" in row.old_html for row in plain)


def test_the_section_comparison_counts_the_changes_and_offers_next_and_previous(client_for, concept, users):
    section = section_with_version(concept, title="Purpose", body="The plan runs to 2030.\n\nIt has five aims.")
    services.section_save(
        section=section,
        base_number=1,
        title="Purpose and scope",
        body="The plan runs to 2035.\n\nIt has six aims.",
        user=users["drafter"],
    )
    page = client_for("reviewer").get(f"/concepts/{concept.pk}/sections/{section.pk}/compare/").content.decode()
    assert "3 changes: 2 words inserted, 2 words deleted." in page  # the title, 2030 → 2035, five → six
    assert _stops(page) == 3
    assert 'data-position-label="Change {current} of {total}"' in page
    assert ">Previous change</button>" in page and ">Next change</button>" in page
    assert '<span class="visually-hidden">Inserted: </span><ins>2035</ins>' in page
    assert "<ins>Inserted text</ins> (green, underlined)" in page  # the legend
    assert "compare.js" in page and "compare.css" in page


def test_two_equal_versions_say_so_and_offer_no_controls(client_for, concept):
    section = section_with_version(concept, title="Purpose", body="The plan.")
    page = client_for("reviewer").get(f"/concepts/{concept.pk}/sections/{section.pk}/compare/?from=1&to=1")
    html = page.content.decode()
    assert "The two versions have the same text." in html
    assert "data-change-nav" not in html and _stops(html) == 0


def test_side_by_side_keeps_line_breaks_and_names_each_column(client_for, concept, users):
    old = "First paragraph.\n\nA list:\n- one\n- two\n\nLast paragraph."
    new = "First paragraph.\n\nA list:\n- one\n- two\n- three\n\nLast paragraph, changed."
    section = section_with_version(concept, title="Purpose", body=old)
    services.section_save(section=section, base_number=1, title="Purpose", body=new, user=users["drafter"])
    url = f"/concepts/{concept.pk}/sections/{section.pk}/compare/?from=1&to=2&view=side"
    page = client_for("reviewer").get(url).content.decode()
    assert '<colgroup><col class="diff-side-col"><col class="diff-side-col"></colgroup>' in page
    # the line break inserted with the new item stays in its cell, shown as a break (white-space: pre-wrap)
    assert (
        '<td lang="en" data-label="Version 2">- two<span class="visually-hidden">Inserted: </span>'
        "<ins>\n- three</ins></td>" in page
    )
    assert '<td lang="en" data-label="Version 1">- two</td>' in page
    assert "2 changed paragraphs" in page
    assert 'data-position-label="Changed paragraph {current} of {total}"' in page
    assert _stops(page) == 2


def test_a_russian_reader_gets_the_words_and_controls_in_russian(client, client_for, concept, users):
    section = section_with_version(concept, title="Purpose", body="The plan runs to 2030.")
    services.section_save(
        section=section, base_number=1, title="Purpose", body="The plan runs to 2035.", user=users["drafter"]
    )
    reader = client_for("reviewer")
    reader.cookies[LANGUAGE_COOKIE] = "ru"
    page = reader.get(f"/concepts/{concept.pk}/sections/{section.pk}/compare/").content.decode()
    assert '<span class="visually-hidden">Вставлено: </span><ins>2035</ins>' in page
    assert '<span class="visually-hidden">Удалено: </span><del>2030</del>' in page
    assert "Следующее изменение" in page and "Изменение {current} из {total}" in page


def _edition(concept, name, user):
    return services.edition_create(concept=concept, name=name, date=FIRST_DAY, is_final=False, user=user)


def test_the_editions_comparison_folds_each_run_of_unchanged_sections_into_one_line(client_for, concept, users):
    drafter = users["drafter"]
    sections = [
        section_with_version(concept, title=f"Topic {n}", body=f"Text of topic {n}.", author=drafter, position=n)
        for n in range(1, 9)
    ]
    first = _edition(concept, "First advanced draft", users["manager"])
    services.section_save(
        section=sections[2], base_number=1, title="Topic 3", body="New text of topic 3.", user=drafter
    )
    services.section_move(section=sections[5], direction="up")  # 6 before 5: one of them moved, nothing else
    page = client_for("reviewer").get(f"/concepts/{concept.pk}/compare/?from={first.pk}&to=draft").content.decode()
    assert "1 changed, 0 added, 0 removed, 7 unchanged." in page
    folded = re.findall(r'<details class="mb-2 compare-unchanged">\s*<summary>([^<]*)</summary>', page)
    assert folded == ["2 unchanged sections: 1 to 2", "3 unchanged sections: 6 to 8"]
    assert "<li>7 Topic 7</li>" in page and "<li>8 Topic 8</li>" in page
    assert "Text of topic 7" not in page  # only the titles of unchanged sections
    # The moved section and the changed one stand on their own, in the list of what differs too.
    assert re.search(r'class="mb-4 compare-section compare-moved"[^>]*data-change', page)
    assert re.search(r'<section class="mb-4 compare-section compare-changed"', page)
    assert page.count('class="compare-kind compare-kind-') == 2
    assert _stops(page) == 2  # one replacement in topic 3's text ("Text" → "New text"), and the moved section
    assert "2 changes" in page


def test_a_fifty_section_comparison_reads_a_fixed_number_of_queries(
    client_for, concept, users, django_assert_max_num_queries
):
    drafter = users["drafter"]
    sections = [
        section_with_version(concept, title=f"Topic {n}", body=f"Text of topic {n}.", author=drafter, position=n)
        for n in range(1, 51)
    ]
    first = _edition(concept, "First advanced draft", users["manager"])
    for section in sections[::10]:
        services.section_save(section=section, base_number=1, title=section.head.title, body="Rewritten.", user=drafter)
    client = client_for("reviewer")
    with django_assert_max_num_queries(25):
        page = client.get(f"/concepts/{concept.pk}/compare/?from={first.pk}&to=draft").content.decode()
    assert "5 changed, 0 added, 0 removed, 45 unchanged." in page
    assert page.count('<details class="mb-2 compare-unchanged">') == 5
