"""Passkeys in the browser: Chromium's virtual authenticator (DevTools' WebAuthn domain) stands in for a security key.

The page runs django-otp-webauthn's own scripts (served from the portal's static files); the
authenticator makes real key pairs and signs real assertions, which the portal verifies.
"""

import re

import pyotp
import pytest
from playwright.sync_api import expect

from accounts.tests.factories import base32_secret, recovery_codes, totp_device
from audit.models import AuditEntry, Kind
from projects.tests.factories import UserFactory
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _passkeys_on_the_live_server(settings, live_server):
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url.replace("127.0.0.1", "localhost")]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture
def authenticator(page):
    """A platform authenticator with user verification, answering on its own (no one to touch it)."""
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    options = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "automaticPresenceSimulation": True,
    }
    authenticator_id = session.send("WebAuthn.addVirtualAuthenticator", {"options": options})["authenticatorId"]
    return session, authenticator_id


def client_unverified(page) -> bool:
    page.goto("/projects/")
    return "/accounts/two-factor/verify/" in page.url


def password_step(page, username):
    page.goto("/accounts/login/?next=/projects/")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/"))


def test_add_a_passkey_then_use_it_at_the_second_step_then_remove_it(page, authenticator, save_screenshot):
    user = UserFactory(username="irina", password=PASSWORD)
    device = totp_device(user)
    recovery_codes(user)
    session, authenticator_id = authenticator

    password_step(page, "irina")
    expect(page.get_by_role("button", name="Use a passkey")).to_have_count(0)  # none yet
    page.get_by_label("Code").fill(pyotp.TOTP(base32_secret(device)).now())
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/projects/$"))

    page.goto("/accounts/two-factor/")
    expect(page.get_by_text("No passkey yet.")).to_be_visible()
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.locator(".passkey-name")).to_have_text(["Passkey"])  # the page reloads with it listed
    assert_accessible(page)
    save_screenshot("passkey-listed")
    assert len(session.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]) == 1
    assert AuditEntry.objects.filter(kind=Kind.MFA_ENROLLED, details__factor="passkey").count() == 1

    page.get_by_role("button", name="Log out").first.click()
    password_step(page, "irina")
    assert_accessible(page)
    save_screenshot("passkey-second-step")
    page.get_by_role("button", name="Use a passkey").click()
    expect(page).to_have_url(re.compile(r"/projects/$"))
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    page.goto("/accounts/two-factor/")
    page.get_by_role("button", name=re.compile(r"^Remove the passkey")).click()
    expect(page.get_by_text("The passkey is removed.")).to_be_visible()
    expect(page.locator(".passkey-name")).to_have_count(0)


def test_a_passkey_of_the_authenticator_not_registered_here_does_not_verify(page, authenticator, settings):
    """The user has a passkey on record, but this browser's authenticator holds none of it: no verification."""
    user = UserFactory(username="oleg", password=PASSWORD)
    device = totp_device(user)
    password_step(page, "oleg")
    page.get_by_label("Code").fill(pyotp.TOTP(base32_secret(device)).now())
    page.get_by_role("button", name="Verify").click()
    page.goto("/accounts/two-factor/")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.locator(".passkey-name")).to_have_count(1)
    session, authenticator_id = authenticator
    session.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": authenticator_id})
    options = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "automaticPresenceSimulation": True,
    }
    session.send("WebAuthn.addVirtualAuthenticator", {"options": options})  # an empty one

    page.get_by_role("button", name="Log out").first.click()
    settings.OTP_WEBAUTHN_TIMEOUT_SECONDS = 2  # the browser gives up soon when no authenticator answers
    password_step(page, "oleg")
    page.get_by_role("button", name="Use a passkey").click()
    status = page.locator("#passkey-verification-status-message")
    expect(status).to_have_text("Verification canceled or not allowed.", timeout=60_000)
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/"))
    assert client_unverified(page)
