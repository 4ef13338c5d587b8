"""Reading a comparison in the browser, on a wide screen (1366 px) and on a phone (390 px): the
changes counted at the top, reached one by one with "Next change" / "Previous change" (and the keys
N and P), focus moving to each; insertions and deletions told apart by line as well as colour;
side by side in equal columns that keep their line breaks, stacked on the phone; an editions
comparison that folds each run of unchanged sections into one line. Every page is checked with axe.
"""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.signals import setting_changed
from playwright.sync_api import expect

from concepts import services
from concepts.tests.factories import ConceptFactory, section_with_version
from projects.models import Role
from projects.tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"
WIDE, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}

BACKGROUND = " ".join(f"Finding {n} of the desk research is recorded in annex {n}." for n in range(1, 13))
OLD = (
    "The Concept sets out the aims of the state migration policy until 2030.\n\n"
    "It was prepared by the Ministry of Internal Affairs with five other ministries.\n\n"
    f"{BACKGROUND}\n\n"
    "Labour migration is managed through quotas.\n\n"
    "Returnees are offered counselling."
)
NEW = (
    "The Concept sets out the aims and principles of the state migration policy until 2035.\n\n"
    "It was prepared by the Ministry of Internal Affairs with five other ministries.\n\n"
    f"{BACKGROUND}\n\n"
    "Labour migration is managed through quotas.\n"
    "Quotas are reviewed every year.\n\n"
    "Returnees are offered counselling and training:\n- in Minsk;\n- in the regions."
)


class World:
    pass


@pytest.fixture(scope="module", autouse=True)
def _compiled_catalogue():
    """The Russian pages need the compiled catalogue: compile it when `make test` has not."""
    po = Path(settings.LOCALE_PATHS[0]) / "ru" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        call_command("compilemessages", locale=["ru"], ignore_patterns=[".venv", "var"], verbosity=0)
        setting_changed.send(sender=None, setting="LOCALE_PATHS", value=settings.LOCALE_PATHS, enter=False)


@pytest.fixture
def reading(db):
    """A drafter's section with two versions (four changes), and a concept of nine sections frozen
    twice: one section's text changed and one moved in between."""
    world = World()
    project = ProjectFactory(title="Migration policy in Belarus")
    drafter = UserFactory(username="dana", first_name="Dana", last_name="Drafter", password=PASSWORD)
    manager = UserFactory(username="mira", password=PASSWORD)
    MembershipFactory(project=project, user=drafter, role=Role.DRAFTER)
    MembershipFactory(project=project, user=manager, role=Role.MANAGER)
    world.concept = ConceptFactory(project=project, title="Concept of the National Migration Policy")
    world.section = section_with_version(world.concept, title="Purpose", body=OLD, author=drafter, position=1)
    services.section_save(section=world.section, base_number=1, title="Purpose", body=NEW, user=drafter)
    others = [
        section_with_version(
            world.concept, title=f"Topic {n}", body=f"The text of topic {n}.", author=drafter, position=n
        )
        for n in range(2, 10)
    ]
    world.first = services.edition_create(
        concept=world.concept, name="First advanced draft", date=datetime.date(2019, 6, 1), is_final=False, user=manager
    )
    services.section_save(
        section=others[3], base_number=1, title="Topic 5", body="The new text of topic 5.", user=drafter
    )
    services.section_move(section=others[6], direction="up")  # topic 8 before topic 7
    world.second = services.edition_create(
        concept=world.concept, name="Final draft", date=datetime.date(2020, 2, 1), is_final=False, user=manager
    )
    return world


def _status(page):
    return page.locator("[data-change-position]")


def _focused_stop(page) -> int:
    """The position (from 0) of the focused element among the page's changes, or -1."""
    return page.evaluate("() => [...document.querySelectorAll('[data-change]')].indexOf(document.activeElement)")


def _no_sideways_scroll(page):
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1366", "390"])
def test_next_and_previous_change_move_the_focus_and_say_where_the_reader_is(page, log_in, reading, viewport):
    page.set_viewport_size(viewport)
    log_in("dana", PASSWORD)
    page.goto(f"/concepts/{reading.concept.pk}/sections/{reading.section.pk}/compare/?from=1&to=2")
    main = page.locator("main")
    expect(main).to_contain_text("4 changes:")
    expect(_status(page)).to_have_text("4 changes")
    diff = main.locator(".diff-inline")
    expect(diff.locator("[data-change]")).to_have_count(4)
    # Not by colour alone: an insertion is underlined, a deletion struck through, each named in words.
    inserted = diff.locator("ins").first
    assert "underline" in inserted.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert "line-through" in diff.locator("del").first.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert inserted.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    expect(diff.locator("[data-change]").first.locator(".visually-hidden").first).to_have_text("Inserted:")
    expect(diff.locator(".visually-hidden", has_text="Deleted:")).to_have_count(1)
    expect(main.locator(".diff-legend")).to_contain_text("Inserted text (green, underlined)")
    assert_accessible(page)

    following = page.get_by_role("button", name="Next change")
    preceding = page.get_by_role("button", name="Previous change")
    following.click()
    expect(_status(page)).to_have_text("Change 1 of 4")
    assert _focused_stop(page) == 0
    expect(diff.locator("[data-change]").first).to_be_in_viewport()
    for expected in (2, 3, 4):
        following.click()
        expect(_status(page)).to_have_text(f"Change {expected} of 4")
        assert _focused_stop(page) == expected - 1
    expect(following).to_be_disabled()
    expect(diff.locator("[data-change]").nth(3)).to_contain_text("training")
    preceding.click()
    expect(_status(page)).to_have_text("Change 3 of 4")
    page.keyboard.press("p")  # the focus is on the change: the keys work from there
    expect(_status(page)).to_have_text("Change 2 of 4")
    assert _focused_stop(page) == 1
    page.keyboard.press("n")
    expect(_status(page)).to_have_text("Change 3 of 4")
    page.get_by_role("link", name="Choose other versions").focus()
    page.keyboard.press("n")  # elsewhere a letter is only a letter (WCAG 2.1.4)
    expect(_status(page)).to_have_text("Change 3 of 4")
    _no_sideways_scroll(page)
    assert_accessible(page)

    # The unchanged words between two changes are folded into one line that opens on request.
    fold = diff.get_by_role("button", name=re.compile(r"^… \d+ unchanged words …$"))
    expect(fold).to_have_count(1)
    expect(diff).not_to_contain_text("Finding 6 of the desk research", use_inner_text=True)
    fold.click()
    expect(diff).to_contain_text("Finding 6 of the desk research is recorded in annex 6.", use_inner_text=True)
    expect(diff.locator(".diff-fold-text")).to_be_focused()
    assert BACKGROUND in diff.evaluate("e => e.innerText")
    expect(diff.locator("[data-change]")).to_have_count(4)
    assert_accessible(page)


def test_side_by_side_has_equal_columns_keeps_line_breaks_and_stacks_on_a_phone(page, log_in, reading):
    page.set_viewport_size(WIDE)
    log_in("dana", PASSWORD)
    page.goto(f"/concepts/{reading.concept.pk}/sections/{reading.section.pk}/compare/?from=1&to=2&view=side")
    table = page.locator("main table.diff-side")
    left, right = (table.locator("thead th").nth(i).bounding_box() for i in (0, 1))
    assert abs(left["width"] - right["width"]) <= 2
    rows = table.locator("tbody tr")
    # one row per paragraph (Markdown line), the versions aligned row by row; far unchanged words folded
    expect(table.locator("tbody tr.diff-folded")).to_have_count(1)
    changed = table.locator("tbody tr[data-change]")
    expect(changed).to_have_count(3)
    expect(changed.nth(1).locator("td")).to_have_text(["", "Inserted: Quotas are reviewed every year."])
    returnees = changed.nth(2).locator("td").nth(1)
    assert returnees.evaluate("e => getComputedStyle(e).whiteSpace") == "pre-wrap"
    # the list added inside the paragraph keeps its line breaks: the insertion runs over three lines
    assert returnees.locator("ins").evaluate("e => e.getClientRects().length") >= 3
    expect(_status(page)).to_have_text("3 changed paragraphs")
    page.get_by_role("button", name="Next change").click()
    expect(_status(page)).to_have_text("Changed paragraph 1 of 3")
    assert _focused_stop(page) == 0
    assert_accessible(page)

    page.set_viewport_size(PHONE)
    page.reload()
    first_row = rows.first.locator("td")
    old_cell, new_cell = first_row.nth(0).bounding_box(), first_row.nth(1).bounding_box()
    assert new_cell["y"] >= old_cell["y"] + old_cell["height"] - 1  # the newer version under the older
    assert old_cell["width"] > 300
    expect(first_row.nth(1)).to_have_attribute("data-label", "Version 2")
    _no_sideways_scroll(page)
    page.get_by_role("button", name="Next change").click()
    page.get_by_role("button", name="Next change").click()
    expect(_status(page)).to_have_text("Changed paragraph 2 of 3")
    expect(page.locator("[data-change-nav]")).to_be_in_viewport()
    assert_accessible(page)


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1366", "390"])
def test_an_editions_comparison_folds_unchanged_sections_and_shows_what_differs(page, log_in, reading, viewport):
    page.set_viewport_size(viewport)
    log_in("dana", PASSWORD)
    page.goto(f"/concepts/{reading.concept.pk}/compare/?from={reading.first.pk}&to={reading.second.pk}")
    main = page.locator("main")
    expect(main).to_contain_text("1 changed, 0 added, 0 removed, 8 unchanged.")
    differing = main.get_by_role("navigation", name="Sections that differ")
    expect(differing.get_by_role("listitem")).to_have_text(["5 Topic 5 changed", "7 Topic 8 moved"])
    folded = main.locator("details.compare-unchanged")
    expect(folded.locator("summary")).to_have_text(["4 unchanged sections: 1 to 4", "2 unchanged sections: 8 to 9"])
    expect(main.locator("p.compare-unchanged")).to_have_text(["6 Topic 6 — unchanged"])
    expect(main.get_by_text("Topic 2", exact=True)).to_be_hidden()
    folded.first.locator("summary").click()
    expect(folded.first.get_by_role("listitem")).to_have_text(["1 Purpose", "2 Topic 2", "3 Topic 3", "4 Topic 4"])
    expect(main.locator("section.compare-changed .diff-inline ins")).to_have_text(["new "])
    expect(main.locator("section.compare-moved h2")).to_contain_text("moved from 8")
    assert_accessible(page)

    expect(_status(page)).to_have_text("2 changes")
    page.get_by_role("button", name="Next change").click()
    expect(_status(page)).to_have_text("Change 1 of 2")
    expect(main.locator("section.compare-changed [data-change]")).to_be_focused()
    page.get_by_role("button", name="Next change").click()
    expect(_status(page)).to_have_text("Change 2 of 2")
    expect(main.locator("section.compare-moved")).to_be_focused()
    _no_sideways_scroll(page)
    assert_accessible(page)


def test_a_russian_reader_reads_the_comparison_in_russian(page, log_in, reading):
    log_in("dana", PASSWORD)
    page.context.add_cookies([{"name": "django_language", "value": "ru", "url": page.url}])
    page.goto(f"/concepts/{reading.concept.pk}/sections/{reading.section.pk}/compare/?from=1&to=2")
    expect(_status(page)).to_have_text("4 изменения")
    page.get_by_role("button", name="Следующее изменение").click()
    expect(_status(page)).to_have_text("Изменение 1 из 4")
    expect(page.locator("main .diff-inline .visually-hidden").first).to_have_text(re.compile("^Вставлено:"))
    assert_accessible(page)


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1366", "390"])
def test_side_by_side_folded_rows_open_on_request(page, log_in, reading, viewport):
    page.set_viewport_size(viewport)
    log_in("dana", PASSWORD)
    page.goto(f"/concepts/{reading.concept.pk}/sections/{reading.section.pk}/compare/?from=1&to=2&view=side")
    table = page.locator("main table.diff-side")
    folded = table.locator("tbody tr.diff-folded")
    expect(folded).to_have_count(1)
    fold = table.get_by_role("button", name=re.compile(r"^… \d+ unchanged words …$"))
    expect(fold).to_have_count(1)  # one control for the row, though both columns say it
    expect(table).not_to_contain_text("Finding 6 of the desk research", use_inner_text=True)
    expect(table.locator(".diff-trim:visible")).not_to_have_count(0)
    assert_accessible(page)
    fold.focus()
    page.keyboard.press("Enter")

    expect(folded).to_have_count(0)
    opened = table.locator("tbody tr", has=page.locator(".diff-fold-text:visible"))
    expect(opened).to_have_count(1)
    expect(opened.locator("td").nth(0)).to_contain_text("Finding 6 of the desk research is recorded in annex 6.")
    expect(opened.locator("td").nth(1)).to_contain_text("Finding 6 of the desk research is recorded in annex 6.")
    expect(opened.locator(".diff-fold-text").first).to_be_focused()
    expect(table.locator(".diff-trim:visible")).to_have_count(0)  # no "…" left where nothing is hidden
    # The newer column reads the whole unchanged paragraph again, each sentence once.
    newer = table.evaluate("t => [...t.tBodies[0].rows].map((row) => row.cells[1].innerText).join(' ')")
    assert BACKGROUND in " ".join(newer.split()) and newer.count("Finding 6 of") == 1
    expect(table.locator("tbody tr[data-change]")).to_have_count(3)
    _no_sideways_scroll(page)
    assert_accessible(page)
