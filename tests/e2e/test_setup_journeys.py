"""Setting a project up quickly, and reading its timeline on a laptop and on a phone.

- Programme staff create a project by keyboard: the slug follows the title, two partners go in
  on the same form (one in a row added with the button), three countries are chosen through the
  picker's filter box, and everything is saved together.
- The seed project's timeline fits a 1,366 px screen, zooms to quarters from the keyboard, and
  a project running today shows the labelled line for today; on a 390 px phone the timeline is
  a list of the activities in date order. The Russian interface is checked on the same pages.
"""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.signals import setting_changed
from django.utils import timezone
from playwright.sync_api import expect

from activities.models import Activity
from activities.tests.factories import ActivityFactory
from projects.demo import SEED_SLUG
from projects.models import Organisation, Project, ProjectPartner
from projects.tests.factories import FundingInstrumentFactory, OrganisationFactory, ProjectFactory, UserFactory
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import TIMEOUT_MS

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"
TITLE = "Labour Mobility Partnership: Georgia & Moldova"
SLUG = "labour-mobility-partnership-georgia-moldova"
ICMPD = "International Centre for Migration Policy Development"
GEORGIA = "Public Service Development Agency of Georgia"
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module", autouse=True)
def _compiled_catalogue():
    """The Russian pages need the compiled catalogue: compile it when `make test` has not."""
    po = Path(settings.LOCALE_PATHS[0]) / "ru" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        call_command("compilemessages", locale=["ru"], ignore_patterns=[".venv", "var"], verbosity=0)
        setting_changed.send(sender=None, setting="LOCALE_PATHS", value=settings.LOCALE_PATHS, enter=False)


@pytest.fixture
def open_page(browser, live_server):
    """`open_page(viewport, locale)`: a page in a context of its own; fails on CSP or JavaScript errors."""
    contexts, problems = [], []

    def open_page(viewport=LAPTOP, locale="en-GB", javascript=True):
        context = browser.new_context(
            base_url=live_server.url, locale=locale, viewport=viewport, java_script_enabled=javascript
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                problems.append(f"console: {message.text}")
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )
        page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
        return page

    yield open_page
    for context in contexts:
        context.close()
    if problems:
        pytest.fail("The browser reported problems:\n" + "\n".join(f"- {p}" for p in problems), False)


def screenshot(page, name: str) -> None:
    directory = os.environ.get("E2E_SCREENSHOT_DIR")
    if directory:
        page.screenshot(path=str(Path(directory) / f"e2e-{name}.png"), full_page=True)


def log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('main form button[type="submit"]').click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def focused(page):
    return page.locator("*:focus")


def choose_by_keyboard(page, select, text: str) -> None:
    """Focuses a closed <select> and types the start of an option, as a keyboard user does."""
    select.focus()
    page.keyboard.type(text)


def pick_country(page, picker, typed: str, name: str) -> None:
    """Types into the picker's filter box, tabs to the first country left and ticks it with Space."""
    box = picker.get_by_role("searchbox")
    box.focus()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(typed)
    page.keyboard.press("Tab")
    expect(focused(page)).to_have_accessible_name(name)
    page.keyboard.press("Space")
    expect(picker.get_by_label(name, exact=True)).to_be_checked()


@pytest.fixture
def staff(db):
    UserFactory(username="petra", password=PASSWORD, is_staff=True)
    FundingInstrumentFactory(code="AMIF", name="Asylum, Migration and Integration Fund")
    OrganisationFactory(name=ICMPD, acronym="ICMPD", kind=Organisation.Kind.INTERNATIONAL)
    OrganisationFactory(name=GEORGIA, kind=Organisation.Kind.NATIONAL_AUTHORITY, country="GE")
    ProjectFactory(slug=SLUG)  # the title's slug is taken: the form must find another


def test_staff_create_a_project_with_partners_and_countries_by_keyboard(open_page, staff):
    page = open_page()
    log_in(page, "petra")
    page.goto("/projects/new/")
    assert_accessible(page)
    form = page.locator("main form")

    form.get_by_label("Code").focus()
    page.keyboard.type("MPF-GE-MD-01")
    slug = form.get_by_label("Slug")
    form.get_by_label(re.compile(r"^\s*Title\*?\s*$")).focus()
    page.keyboard.type(TITLE)
    expect(slug).to_have_value(SLUG)  # filled as the title is typed
    # The server keeps it unique when saving; here it is edited by hand, and then stays as typed.
    slug.focus()
    page.keyboard.press("End")
    page.keyboard.type("-2026")
    form.get_by_label(re.compile(r"^\s*Title\*?\s*$")).focus()
    page.keyboard.type(" ")
    expect(slug).to_have_value(f"{SLUG}-2026")

    choose_by_keyboard(page, form.get_by_label("Status"), "Implementation")
    form.get_by_label("Planned start").fill("2026-01-01")
    form.get_by_label("Planned end").fill("2027-06-30")
    choose_by_keyboard(page, form.get_by_label("Funding instrument"), "AMIF")
    form.get_by_label("Total budget").focus()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("250000")

    # Three countries through the filter box, one removed again with its button.
    picker = form.get_by_role("group", name="Beneficiary countries")
    expect(picker.get_by_text("None yet.")).to_be_visible()
    pick_country(page, picker, "georg", "Georgia")
    pick_country(page, picker, "moldo", "Moldova")
    pick_country(page, picker, "alban", "Albania")
    pick_country(page, picker, "armen", "Armenia")
    chosen = picker.locator("[data-chosen-list] li")
    expect(chosen).to_have_count(4)
    picker.get_by_role("button", name="Remove Albania").focus()
    page.keyboard.press("Enter")
    expect(picker.get_by_label("Albania", exact=True)).not_to_be_checked()
    expect(chosen).to_have_text([re.compile("Armenia"), re.compile("Georgia"), re.compile("Moldova")])
    expect(focused(page)).to_have_accessible_name("Remove Armenia")  # focus stays in the chosen list
    picker.get_by_role("searchbox").fill("")
    assert_accessible(page)

    # Partners: the first row, then a row added with the button (focus moves into it).
    choose_by_keyboard(page, form.get_by_label("Partner 1: organisation"), "International")
    choose_by_keyboard(page, form.get_by_label("Partner 1: role"), "Implementing")
    add = form.get_by_role("button", name="Add another partner")
    add.focus()
    page.keyboard.press("Enter")
    expect(focused(page)).to_have_accessible_name("Partner 4: organisation")
    page.keyboard.type("Public")
    choose_by_keyboard(page, form.get_by_label("Partner 4: role"), "Beneficiary")
    expect(form.get_by_label("Partner 4: organisation").locator("option:checked")).to_have_text(GEORGIA)
    assert_accessible(page)
    screenshot(page, "setup-create-form")

    form.get_by_role("button", name="Save").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/projects/{SLUG}-2026/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert_accessible(page)
    project = Project.objects.get(code="MPF-GE-MD-01")
    assert sorted(country.code for country in project.countries) == ["AM", "GE", "MD"]
    assert set(project.partners.values_list("organisation__name", "role")) == {
        (ICMPD, ProjectPartner.PartnerRole.IMPLEMENTING),
        (GEORGIA, ProjectPartner.PartnerRole.BENEFICIARY),
    }
    # The project page links its IATI file and calendar feed.
    expect(page.get_by_role("link", name=re.compile("IATI activity file"))).to_have_attribute(
        "href", f"/projects/{SLUG}-2026/iati.xml"
    )
    expect(page.get_by_role("link", name=re.compile("Calendar of the activities"))).to_have_attribute(
        "href", f"/projects/{SLUG}-2026/activities.ics"
    )

    # The edit form shows the chosen countries in the same picker.
    page.goto(f"/projects/{SLUG}-2026/edit/")
    picker = page.get_by_role("group", name="Beneficiary countries")
    expect(picker.locator("[data-chosen-list] li")).to_have_count(3)
    expect(picker.locator("input:checked")).to_have_count(3)
    assert_accessible(page)


def test_an_empty_slug_is_made_unique_from_the_title_in_russian(open_page, staff):
    page = open_page(locale="ru-RU")
    log_in(page, "petra")
    page.goto("/projects/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Новый проект")
    picker = page.get_by_role("group", name="Страны-бенефициары")
    expect(picker.get_by_label("Фильтр стран")).to_be_visible()
    expect(page.get_by_role("button", name="Добавить ещё партнёра")).to_be_visible()
    assert_accessible(page)
    form = page.locator("main form")
    form.get_by_label(re.compile(r"^\s*Код\*?\s*$")).fill("MPF-GE-02")
    form.get_by_label(re.compile(r"^\s*Название\*?\s*$")).fill(TITLE)
    form.get_by_label(re.compile(r"^\s*Адрес\*?\s*$")).fill("")  # emptied: the server makes it from the title
    form.get_by_label("Плановое начало").fill("2026-01-01")
    form.get_by_label("Плановое окончание").fill("2026-12-31")
    pick_country(page, picker, "груз", "Грузия")
    screenshot(page, "setup-create-form-ru")
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/projects/{SLUG}-2/$"))  # the slug was taken
    assert [c.code for c in Project.objects.get(code="MPF-GE-02").countries] == ["GE"]


def test_without_javascript_the_checkboxes_and_empty_partner_rows_still_work(open_page, staff):
    page = open_page(javascript=False)  # axe needs scripts: the same markup is checked with them above
    log_in(page, "petra")
    page.goto("/projects/new/")
    form = page.locator("main form")
    expect(form.get_by_role("button", name="Add another partner")).to_be_hidden()
    expect(form.get_by_label("Filter the countries")).to_be_hidden()
    form.get_by_label("Code").fill("MPF-NOJS-01")
    form.get_by_label(re.compile(r"^\s*Title\*?\s*$")).fill("Return counselling in Armenia")
    form.get_by_label("Planned start").fill("2026-03-01")
    form.get_by_label("Planned end").fill("2027-02-28")
    picker = form.get_by_role("group", name="Beneficiary countries")
    picker.get_by_label("Armenia", exact=True).check()
    picker.get_by_label("Georgia", exact=True).check()
    form.get_by_label("Partner 3: organisation").select_option(label=f"{ICMPD} (ICMPD)")
    form.get_by_label("Partner 3: role").select_option(label="Implementing")
    form.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/projects/return-counselling-in-armenia/$"))  # the slug from the title
    project = Project.objects.get(code="MPF-NOJS-01")
    assert sorted(country.code for country in project.countries) == ["AM", "GE"]
    assert list(project.partners.values_list("organisation__name", flat=True)) == [ICMPD]
    page.goto("/projects/return-counselling-in-armenia/edit/")
    chosen = page.get_by_role("list", name="Chosen countries:").locator("li")
    expect(chosen).to_have_text(["Armenia", "Georgia"])  # listed by the server


@pytest.fixture
def seeded(db):
    call_command("seed_demo", verbosity=0)
    return Project.objects.get(slug=SEED_SLUG)


def test_seed_timeline_fits_a_laptop_screen_and_zooms_to_quarters(open_page, seeded):
    page = open_page()
    page.goto(f"/projects/{SEED_SLUG}/timeline/")
    rows = page.locator("svg.gantt .gantt-row")
    count = Activity.objects.filter(project=seeded).count()
    expect(rows).to_have_count(count)
    assert count >= 10
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    for index in range(count):  # every bar or diamond on the screen, 2020's too
        box = rows.nth(index).locator(".bar-planned, .milestone").first.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= LAPTOP["width"], index
    expect(page.locator("svg.gantt .tick-label-year")).to_have_text(["2020"])
    expect(page.locator(".timeline-list")).to_be_hidden()
    expect(page.locator("svg.gantt .today-marker")).to_have_count(0)  # 2019-2020: today is not in range
    assert_accessible(page)
    screenshot(page, "setup-timeline-fit")

    page.get_by_role("link", name="Quarters").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?zoom=quarters$"))
    expect(page.get_by_role("link", name="Quarters")).to_have_attribute("aria-current", "true")
    expect(page.locator("svg.gantt .tick-label").filter(has_text="Q2").first).to_be_visible()
    expect(page.get_by_role("region", name=re.compile("scrolls sideways"))).to_be_visible()
    assert_accessible(page)
    screenshot(page, "setup-timeline-quarters")

    page.get_by_role("link", name="Months").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?zoom=months$"))
    assert page.locator("svg.gantt").bounding_box()["width"] > LAPTOP["width"]  # scrolls inside its region
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]


def test_today_line_on_a_running_project_and_the_russian_timeline(open_page, db):
    today = timezone.localdate()
    project = ProjectFactory(
        slug="running", title="Running project", is_published=True,
        planned_start=today - datetime.timedelta(days=180), planned_end=today + datetime.timedelta(days=180),
    )  # fmt: skip
    ActivityFactory(project=project, title="Before today", planned_start=today - datetime.timedelta(days=120),
                    planned_end=today - datetime.timedelta(days=110))  # fmt: skip
    ActivityFactory(project=project, title="After today", planned_start=today + datetime.timedelta(days=40),
                    planned_end=today + datetime.timedelta(days=45))  # fmt: skip
    page = open_page()
    page.goto("/projects/running/timeline/")
    marker = page.get_by_role("img", name=re.compile(r"^Today, "))
    expect(marker).to_be_visible()
    line = marker.locator("line").bounding_box()
    before = page.locator(".gantt-row", has_text="Before today").locator(".bar-planned").bounding_box()
    after = page.locator(".gantt-row", has_text="After today").locator(".bar-planned").bounding_box()
    assert before["x"] < line["x"] < after["x"] <= LAPTOP["width"]
    assert_accessible(page)
    screenshot(page, "setup-timeline-today")

    russian = open_page(locale="ru-RU")
    russian.goto("/projects/running/timeline/?zoom=quarters")
    zoom = russian.get_by_role("navigation", name="Масштаб временной шкалы")
    expect(zoom.get_by_role("link", name="Кварталы")).to_have_attribute("aria-current", "true")
    expect(russian.get_by_role("img", name=re.compile(r"^Сегодня, "))).to_be_visible()
    assert_accessible(russian)
    screenshot(russian, "setup-timeline-ru")


def test_timeline_is_a_list_on_a_phone(open_page, seeded):
    page = open_page(viewport=PHONE)
    page.goto(f"/projects/{SEED_SLUG}/timeline/")
    expect(page.locator("svg.gantt")).to_be_hidden()
    listing = page.get_by_role("list", name="Activities in date order")
    expect(listing).to_be_visible()
    activities = list(Activity.objects.filter(project=seeded).order_by("planned_start", "planned_end"))
    items = listing.locator("li")
    expect(items).to_have_count(len(activities))
    expect(items.first).to_contain_text(activities[0].title)
    expect(items.first).to_contain_text(activities[0].get_kind_display())
    expect(items.last).to_contain_text(activities[-1].title)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)
    screenshot(page, "setup-timeline-phone")

    russian = open_page(viewport=PHONE, locale="ru-RU")
    russian.goto(f"/projects/{SEED_SLUG}/timeline/")
    expect(russian.get_by_role("list", name="Мероприятия в порядке дат")).to_be_visible()
    expect(russian.get_by_role("list", name="Мероприятия в порядке дат").locator("li").first).to_contain_text(
        "По плану:"
    )
    assert_accessible(russian)
    screenshot(russian, "setup-timeline-phone-ru")
