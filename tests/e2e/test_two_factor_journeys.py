"""Two-factor login in the browser: enrol, log in with the code, then a recovery code; the admin refuses without one.

pyotp computes the codes from the key the enrolment page shows, as a phone's app would.
"""

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from projects.tests.factories import UserFactory
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _no_device_throttling(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def log_out(page):
    page.get_by_role("button", name="Log out").first.click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


def test_enrol_log_out_log_in_with_the_code_then_with_a_recovery_code(page, log_in):
    UserFactory(username="tanya", password=PASSWORD)
    log_in("tanya", PASSWORD)

    page.goto("/accounts/preferences/")
    page.get_by_role("link", name="Two-factor login").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor login")
    assert_accessible(page)
    page.get_by_role("link", name="Set up two-factor login").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    assert_accessible(page)
    totp = pyotp.TOTP(page.locator("#totp-secret").inner_text().replace(" ", ""))
    page.get_by_label("Code from the app").fill(totp.now())
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    assert_accessible(page)
    codes = page.locator(".recovery-code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.get_by_text("On: you log in with your password")).to_be_visible()
    log_out(page)

    log_in("tanya", PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/"))
    assert_accessible(page)
    page.goto("/accounts/preferences/")  # nothing else opens before the code
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/"))
    page.get_by_label("Code").fill(totp.at(time.time() + 30))  # the next code: the enrolment used this one
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/accounts/preferences/$"))
    log_out(page)

    log_in("tanya", PASSWORD)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/"))
    page.goto("/accounts/two-factor/")
    expect(page.get_by_text("9 recovery codes left.")).to_be_visible()


def test_the_admin_refuses_staff_without_a_second_factor(page, log_in):
    UserFactory(username="sofia", password=PASSWORD, is_staff=True)
    log_in("sofia", PASSWORD)

    page.goto("/admin/")

    expect(page).to_have_url(re.compile(r"/accounts/two-factor/enrol/\?next=%2Fadmin%2F$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor login")
    assert "Site administration" not in page.content()
    assert_accessible(page)
