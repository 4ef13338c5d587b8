"""Browser tests: Playwright's sync API driving Debian's Chromium against `live_server`.

Playwright cannot download browsers here, so the system Chromium is used: `/usr/bin/chromium`,
else `chromium` on PATH, or the path in `E2E_CHROMIUM`. Without a usable Chromium the e2e
tests are skipped, unless `E2E_REQUIRED=1`, which makes that a failure so CI cannot skip them.

One browser for the e2e run, one context and page per test. The page's base URL is the live
server's, so tests `page.goto("/projects/")`.
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from tests.e2e.axe import assert_accessible

E2E_DIR = Path(__file__).parent
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
INSTALL_HINT = "apt-get install -y chromium; set E2E_REQUIRED=1 to make this a failure"
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(items):
    """Every test under tests/e2e is an `e2e` test (`-m "not e2e"` leaves them out)."""
    for item in items:
        if E2E_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


def e2e_required() -> bool:
    return os.environ.get("E2E_REQUIRED", "").strip().lower() in {"1", "true", "yes", "on"}


def chromium_path() -> str | None:
    """`E2E_CHROMIUM` if set, else Debian's Chromium, else `chromium` on PATH; None if not there."""
    configured = os.environ.get("E2E_CHROMIUM", "").strip()
    candidates = [configured] if configured else [DEFAULT_CHROMIUM, shutil.which("chromium")]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def browser_unavailable(reason: str):
    """Skips the e2e tests, or fails them when E2E_REQUIRED=1."""
    if e2e_required():
        pytest.fail(f"{reason}. E2E_REQUIRED=1, so the browser tests must run: apt-get install -y chromium", False)
    pytest.skip(f"{reason}: {INSTALL_HINT}")


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for the e2e tests (a skip or failure, cached, if there is none).

    Package-scoped: the e2e tests run together, and the browser (and the event loop Playwright's
    sync API keeps running in this thread) stops once they are done, not at the end of the suite.
    """
    executable = chromium_path()
    if executable is None:
        where = os.environ.get("E2E_CHROMIUM") or f"{DEFAULT_CHROMIUM} or chromium on PATH"
        browser_unavailable(f"Chromium not found ({where})")
    # While Playwright runs, this thread has a running asyncio loop and Django would refuse
    # database access from it as "async-unsafe"; the tests and factories are synchronous code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS, timeout=30_000
        )
    except PlaywrightError as error:
        playwright.stop()
        _restore_env("DJANGO_ALLOW_ASYNC_UNSAFE", previous)
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        browser_unavailable(f"Chromium not found or not launchable at {executable} ({first_line})")
    yield chromium
    chromium.close()
    playwright.stop()
    _restore_env("DJANGO_ALLOW_ASYNC_UNSAFE", previous)


def _restore_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context and page on the live server; fails on CSP violations or JS errors."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    yield page
    context.close()
    if problems:
        pytest.fail("The browser reported problems:\n" + "\n".join(f"- {problem}" for problem in problems), False)


@pytest.fixture
def log_in(page):
    """`log_in(username, password)`: through the real log-in form, checking its accessibility."""

    def log_in(username: str, password: str):
        page.goto("/accounts/login/")
        assert_accessible(page)
        page.locator('input[name="username"]').fill(username)
        page.locator('input[name="password"]').fill(password)
        page.get_by_role("button", name="Log in", exact=True).click()
        try:
            page.wait_for_url(lambda url: not urlparse(url).path.startswith("/accounts/login/"))
        except PlaywrightError:
            alerts = page.locator(".alert, .invalid-feedback").all_inner_texts()
            pytest.fail(f"Logging in as {username!r} failed; the form says: {alerts or '(nothing)'}", False)
        return page

    return log_in


@pytest.fixture
def save_screenshot(page):
    """`save_screenshot("project")` writes $E2E_SCREENSHOT_DIR/e2e-project.png, if that is set."""

    def save(name: str):
        directory = os.environ.get("E2E_SCREENSHOT_DIR")
        if directory:
            page.screenshot(path=str(Path(directory) / f"e2e-{name}.png"), full_page=True)

    return save
