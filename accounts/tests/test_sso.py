"""Single sign-on against a real OpenID Connect provider on loopback (tests/oidc_provider.py).

The provider signs its ID tokens with its own RSA key and checks PKCE; nothing of the portal's client
is replaced. A test drives the browser's part with Django's test client (the portal) and an HTTP
client (the provider's sign-in page).
"""

from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth import SESSION_KEY

from accounts.tests.factories import totp_device
from audit.models import AuditEntry, Kind
from projects.models import Membership
from projects.tests.factories import UserFactory
from tests.oidc_provider import pkce_challenge

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def alice_claims(**changes) -> dict:
    return {"sub": "alice-1", "email": "Alice@Example.org", "email_verified": True, "name": "Alice"} | changes


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", email="alice@example.org", password=PASSWORD)


def start(client, next_url: str = "") -> str:
    """Clicks "Sign in with …": the provider's authorization URL the portal sends the browser to."""
    response = client.get("/accounts/sso/login/" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302
    return response["Location"]


def come_back(client, callback_url: str):
    parsed = urlparse(callback_url)
    assert parsed.path == "/accounts/sso/callback/"
    return client.get(f"{parsed.path}?{parsed.query}")


def sign_in(client, provider, login: str = "alice", next_url: str = ""):
    return come_back(client, provider.sign_in(start(client, next_url), login))


def signed_in_as(client):
    return client.session.get(SESSION_KEY)


def refusals():
    return list(AuditEntry.objects.filter(kind=Kind.SSO_LOGIN_REFUSED).values_list("details", flat=True))


# The whole flow


def test_a_user_with_a_verified_address_signs_in_and_lands_where_they_were_going(
    client, sso_settings, oidc_provider, alice
):
    oidc_provider.users["alice"] = alice_claims()
    response = sign_in(client, oidc_provider, next_url="/projects/")
    assert response.status_code == 302 and response.url == "/projects/"
    assert signed_in_as(client) == str(alice.pk)
    assert client.get("/projects/").status_code == 200
    entry = AuditEntry.objects.get(kind=Kind.LOGIN_SUCCEEDED)
    assert entry.actor == alice and entry.details == {"via": "sso", "provider_mfa": False}


def test_the_authorization_request_carries_pkce_state_and_nonce(client, sso_settings, oidc_provider):
    query = parse_qs(urlparse(start(client)).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert query["scope"][0].split() == ["openid", "email", "profile"]


def test_the_provider_verifies_pkce_a_code_redeemed_without_the_verifier_is_refused(
    client, sso_settings, oidc_provider, alice
):
    """The provider's side of PKCE, as the portal's redemption relies on it: the right verifier or nothing."""
    oidc_provider.users["alice"] = alice_claims()
    authorize_url = start(client)
    challenge = parse_qs(urlparse(authorize_url).query)["code_challenge"][0]
    code = parse_qs(urlparse(oidc_provider.sign_in(authorize_url, "alice")).query)["code"][0]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "http://testserver/accounts/sso/callback/",
    }
    status, answer = oidc_provider.redeem_code(form | {"code_verifier": "x" * 43}, "mpf-portal", "test-client-secret")
    assert status == 400 and answer["error"] == "invalid_grant"
    assert pkce_challenge("x" * 43) != challenge
    assert oidc_provider.token_refusals == ["PKCE verification failed"]


def test_the_portal_sends_the_verifier_that_matches_its_challenge(client, sso_settings, oidc_provider, alice):
    oidc_provider.users["alice"] = alice_claims()
    sign_in(client, oidc_provider)
    assert oidc_provider.token_refusals == []  # the provider checked the verifier and accepted it
    assert signed_in_as(client) == str(alice.pk)


def test_a_callback_with_another_state_is_refused(client, sso_settings, oidc_provider, alice):
    oidc_provider.users["alice"] = alice_claims()
    callback = oidc_provider.sign_in(start(client), "alice")
    forged = callback.replace("state=", "state=x")
    response = come_back(client, forged)
    assert response.status_code == 302 and response.url == "/accounts/login/"
    assert signed_in_as(client) is None
    assert refusals() == [{"reason": "protocol_error", "email": "", "error": "MismatchingStateError"}]


def test_a_callback_from_another_browser_is_refused(client, sso_settings, oidc_provider, alice):
    """Login CSRF: a code and state made for one browser's session, sent to another browser."""
    from django.test import Client

    oidc_provider.users["alice"] = alice_claims()
    callback = oidc_provider.sign_in(start(Client()), "alice")
    come_back(client, callback)
    assert signed_in_as(client) is None


def test_an_id_token_with_another_nonce_is_refused(client, sso_settings, oidc_provider, alice):
    oidc_provider.users["alice"] = alice_claims()
    oidc_provider.id_token_overrides = {"nonce": "a-nonce-of-another-login"}
    response = sign_in(client, oidc_provider)
    assert response.url == "/accounts/login/" and signed_in_as(client) is None
    assert refusals() == [{"reason": "protocol_error", "email": "", "error": "InvalidClaimError"}]


def test_an_id_token_signed_by_a_key_not_in_the_providers_jwks_is_refused(client, sso_settings, oidc_provider, alice):
    oidc_provider.users["alice"] = alice_claims()
    oidc_provider.sign_with_other_key = True
    response = sign_in(client, oidc_provider)
    assert response.url == "/accounts/login/" and signed_in_as(client) is None
    assert refusals() == [{"reason": "protocol_error", "email": "", "error": "BadSignatureError"}]


@pytest.mark.parametrize(
    ("override", "error"),
    [
        ({"aud": "another-client"}, "MissingClaimError"),  # no `azp` naming the portal either
        ({"iss": "http://127.0.0.1:1"}, "InvalidClaimError"),
        ({"exp": 1000}, "ExpiredTokenError"),
    ],
)
def test_an_id_token_for_another_client_from_another_issuer_or_expired_is_refused(
    client, sso_settings, oidc_provider, alice, override, error
):
    oidc_provider.users["alice"] = alice_claims()
    oidc_provider.id_token_overrides = override
    sign_in(client, oidc_provider)
    assert signed_in_as(client) is None
    assert refusals() == [{"reason": "protocol_error", "email": "", "error": error}]


# Which account


def test_an_unverified_address_is_refused_even_when_an_account_has_it(client, sso_settings, oidc_provider, alice):
    oidc_provider.users["alice"] = alice_claims(email_verified=False)
    response = sign_in(client, oidc_provider)
    assert signed_in_as(client) is None
    page = client.get(response.url)
    assert "has not verified the e-mail address" in page.content.decode()
    assert refusals() == [{"reason": "email_unverified", "email": "Alice@Example.org"}]


def test_a_missing_email_verified_claim_counts_as_unverified(client, sso_settings, oidc_provider, alice):
    oidc_provider.users["alice"] = {"sub": "alice-1", "email": "alice@example.org"}
    sign_in(client, oidc_provider)
    assert signed_in_as(client) is None and refusals()[0]["reason"] == "email_unverified"


def test_an_address_outside_the_allowed_domains_is_refused(client, sso_settings, oidc_provider):
    UserFactory(username="mallory", email="mallory@example.com", password=PASSWORD)
    oidc_provider.users["mallory"] = alice_claims(email="mallory@example.com")
    response = sign_in(client, oidc_provider, login="mallory")
    assert signed_in_as(client) is None
    assert "Addresses of that domain cannot sign in" in client.get(response.url).content.decode()
    assert refusals()[0]["reason"] == "domain_not_allowed"


def test_an_unknown_address_is_refused_and_no_account_is_created(
    client, sso_settings, oidc_provider, django_user_model
):
    oidc_provider.users["newcomer"] = alice_claims(email="newcomer@example.org")
    before = django_user_model.objects.count()
    response = sign_in(client, oidc_provider, login="newcomer")
    assert signed_in_as(client) is None and django_user_model.objects.count() == before
    assert "No account of the portal has the address newcomer@example.org" in client.get(response.url).content.decode()


def test_an_address_held_by_two_accounts_is_refused(client, sso_settings, oidc_provider, alice):
    UserFactory(username="alice2", email="ALICE@example.org")
    oidc_provider.users["alice"] = alice_claims()
    sign_in(client, oidc_provider)
    assert signed_in_as(client) is None and refusals()[0]["reason"] == "ambiguous_account"


def test_a_deactivated_account_is_refused(client, sso_settings, oidc_provider, alice):
    alice.is_active = False
    alice.save()
    oidc_provider.users["alice"] = alice_claims()
    sign_in(client, oidc_provider)
    assert signed_in_as(client) is None and refusals()[0]["reason"] == "account_inactive"


def test_signing_in_grants_no_role_membership_or_right(client, sso_settings, oidc_provider, alice, project):
    oidc_provider.users["alice"] = alice_claims(groups=["admins"], roles=["staff"], is_staff=True)
    sign_in(client, oidc_provider)
    alice.refresh_from_db()
    assert signed_in_as(client) == str(alice.pk)
    assert not alice.is_staff and not alice.is_superuser and not alice.groups.exists()
    assert not Membership.objects.filter(user=alice).exists()
    assert client.get(f"/projects/{project.slug}/").status_code == 404  # an outsider still


# Passwords of programme staff, and the second factor


def test_staff_password_login_is_refused_with_a_pointer_to_sso_when_turned_off(client, sso_settings, staff_user):
    sso_settings.OIDC_STAFF_PASSWORD_LOGIN = False
    staff_user.set_password(PASSWORD)
    staff_user.save()
    response = client.post("/accounts/login/", {"username": staff_user.username, "password": PASSWORD})
    assert response.status_code == 200 and signed_in_as(client) is None
    page = response.content.decode()
    assert "Programme staff sign in with Example ID" in page and "Sign in with Example ID" in page
    entry = AuditEntry.objects.get(kind=Kind.LOGIN_FAILED)
    assert entry.details["reason"] == "staff_password_login_off"


def test_staff_password_login_still_works_while_allowed_and_others_keep_their_passwords(
    client, sso_settings, staff_user, alice
):
    staff_user.set_password(PASSWORD)
    staff_user.save()
    client.post("/accounts/login/", {"username": staff_user.username, "password": PASSWORD})
    assert signed_in_as(client) == str(staff_user.pk)
    client.logout()
    sso_settings.OIDC_STAFF_PASSWORD_LOGIN = False
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert signed_in_as(client) == str(alice.pk)


def test_staff_sign_in_through_sso_when_their_passwords_are_off(client, sso_settings, oidc_provider, staff_user):
    sso_settings.OIDC_STAFF_PASSWORD_LOGIN = False
    staff_user.email = "staff@example.org"
    staff_user.save()
    oidc_provider.users["staff"] = alice_claims(email="staff@example.org")
    sign_in(client, oidc_provider, login="staff")
    assert signed_in_as(client) == str(staff_user.pk)


def test_a_wrong_password_of_staff_is_a_plain_failure_and_counts_for_throttling(client, sso_settings, staff_user):
    sso_settings.OIDC_STAFF_PASSWORD_LOGIN = False
    sso_settings.AXES_FAILURE_LIMIT = 2
    for _attempt in range(2):
        response = client.post("/accounts/login/", {"username": staff_user.username, "password": "wrong"})
    assert "Programme staff sign in with" not in response.content.decode()
    assert response.status_code == 429


def test_a_user_with_an_app_is_still_asked_for_the_portals_code_after_sso(client, sso_settings, oidc_provider, alice):
    totp_device(alice)
    oidc_provider.users["alice"] = alice_claims(amr=["pwd", "mfa"])
    response = sign_in(client, oidc_provider, next_url="/projects/")
    assert signed_in_as(client) == str(alice.pk)
    response = client.get("/projects/")
    assert response.status_code == 302 and response.url.startswith("/accounts/two-factor/verify/")


def test_a_required_role_without_an_app_must_enrol_after_sso(client, sso_settings, oidc_provider, staff_user):
    sso_settings.MFA_REQUIRED_ROLES = ["staff"]
    staff_user.email = "staff@example.org"
    staff_user.save()
    oidc_provider.users["staff"] = alice_claims(email="staff@example.org")
    sign_in(client, oidc_provider, login="staff")
    response = client.get("/projects/")
    assert response.status_code == 302 and response.url.startswith("/accounts/two-factor/enrol/")


def test_the_providers_mfa_stands_in_when_trusted_and_asserted(client, sso_settings, oidc_provider, staff_user):
    sso_settings.MFA_REQUIRED_ROLES = ["staff"]
    sso_settings.OIDC_TRUST_PROVIDER_MFA = True
    staff_user.email = "staff@example.org"
    staff_user.save()
    oidc_provider.users["staff"] = alice_claims(email="staff@example.org", amr=["pwd", "mfa"])
    sign_in(client, oidc_provider, login="staff")
    assert client.get("/projects/").status_code == 200
    assert AuditEntry.objects.get(kind=Kind.LOGIN_SUCCEEDED).details == {"via": "sso", "provider_mfa": True}
    # The admin asks for the portal's own factor all the same.
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/two-factor/enrol/")


def test_a_trusted_provider_that_did_not_assert_mfa_does_not_stand_in(client, sso_settings, oidc_provider, staff_user):
    sso_settings.MFA_REQUIRED_ROLES = ["staff"]
    sso_settings.OIDC_TRUST_PROVIDER_MFA = True
    staff_user.email = "staff@example.org"
    staff_user.save()
    oidc_provider.users["staff"] = alice_claims(email="staff@example.org", amr=["pwd"])
    sign_in(client, oidc_provider, login="staff")
    assert client.get("/projects/").url.startswith("/accounts/two-factor/enrol/")


# Off unless configured


def test_without_configuration_there_is_no_button_and_the_sso_urls_answer_404(client, settings):
    settings.OIDC_ENABLED = False
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()
    assert client.get("/accounts/sso/login/").status_code == 404
    assert client.get("/accounts/sso/callback/?code=x&state=y").status_code == 404


def test_the_login_page_offers_the_button_when_configured(client, sso_settings):
    page = client.get("/accounts/login/?next=/projects/").content.decode()
    assert 'href="/accounts/sso/login/?next=/projects/"' in page and "Sign in with Example ID" in page


def test_an_unreachable_provider_sends_back_to_the_login_page_with_a_message(client, settings):
    settings.OIDC_ENABLED = True
    settings.OIDC_DISCOVERY_URL = "http://127.0.0.1:9/.well-known/openid-configuration"
    settings.OIDC_CLIENT_ID = "x"
    settings.OIDC_CLIENT_SECRET = "y"
    response = client.get("/accounts/sso/login/")
    assert response.status_code == 302 and response.url == "/accounts/login/"
    assert "cannot be reached" in client.get(response.url).content.decode()


@pytest.mark.parametrize("role", ["anonymous", "outsider", "reviewer", "drafter", "manager", "staff"])
def test_every_role_may_start_sso_and_a_callback_not_answering_their_own_start_signs_nobody_in(
    client, sso_settings, oidc_provider, users, role
):
    if role != "anonymous":
        client.force_login(users[role])
    assert client.get("/accounts/sso/login/").url.startswith(f"{oidc_provider.issuer}/authorize?")
    response = client.get("/accounts/sso/callback/?code=stolen&state=forged")
    assert response.status_code == 302 and response.url == "/accounts/login/"
    expected = None if role == "anonymous" else str(users[role].pk)
    assert signed_in_as(client) == expected  # an existing session is neither replaced nor ended


def test_without_a_label_the_button_and_the_staff_message_name_single_sign_on(client, sso_settings, staff_user):
    sso_settings.OIDC_LOGIN_LABEL = ""
    sso_settings.OIDC_STAFF_PASSWORD_LOGIN = False
    staff_user.set_password(PASSWORD)
    staff_user.save()
    page = client.post("/accounts/login/", {"username": staff_user.username, "password": PASSWORD}).content.decode()
    assert "Programme staff sign in with single sign-on" in page and ">Sign in with single sign-on</a>" in page
