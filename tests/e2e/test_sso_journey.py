"""Single sign-on in the browser: "Sign in with …" on the log-in page, the test provider's page, back signed in.

The provider (tests/oidc_provider.py) runs on loopback beside the live server and signs real ID tokens;
Chromium follows the whole round trip, PKCE and all.
"""

import re

import pytest
from playwright.sync_api import expect

from projects.tests.factories import UserFactory
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e


def test_sign_in_with_the_provider_and_land_signed_in(page, sso_settings, oidc_provider, project, save_screenshot):
    UserFactory(username="olga", email="olga@example.org", first_name="Olga", last_name="Ivanova")
    oidc_provider.users["olga.ivanova"] = {"sub": "olga-1", "email": "olga@example.org", "email_verified": True}

    page.goto("/projects/")
    page.get_by_role("link", name="Log in").click()
    assert_accessible(page)
    save_screenshot("sso-login")
    page.get_by_role("link", name="Sign in with Example ID").click()

    expect(page).to_have_url(re.compile(re.escape(oidc_provider.issuer) + r"/authorize\?"))
    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    page.get_by_label("Account").fill("olga.ivanova")
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(re.compile(r"/projects/$"))
    expect(page.get_by_text("Olga Ivanova")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    save_screenshot("sso-landed")
    assert oidc_provider.token_refusals == []


def test_an_unknown_address_comes_back_to_the_log_in_page_with_the_reason(page, sso_settings, oidc_provider):
    oidc_provider.users["stranger"] = {"sub": "s-1", "email": "stranger@example.org", "email_verified": True}
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Sign in with Example ID").click()
    page.get_by_label("Account").fill("stranger")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_text("No account of the portal has the address stranger@example.org")).to_be_visible()
    assert_accessible(page)
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
