"""Passkeys beside the app: who may add one, the second step's access to the ceremony, listing and removing.

The ceremonies themselves (a real authenticator's key pair, attestation and assertion) are proved in the
browser with Chromium's virtual authenticator: tests/e2e/test_passkey_journey.py.
"""

import json

import pytest
from django_otp_webauthn.models import WebAuthnCredential

from accounts import services
from accounts.tests.factories import totp_device, verify_session
from audit.models import AuditEntry, Kind
from projects.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
BEGIN_REGISTRATION = "/accounts/passkeys/registration/begin/"
BEGIN_AUTHENTICATION = "/accounts/passkeys/authentication/begin/"


def passkey(user, name="Security key", credential_id=b"key-1"):
    return WebAuthnCredential.objects.create(user=user, name=name, credential_id=credential_id, public_key=b"-")


@pytest.fixture
def irina(db):
    return UserFactory(username="irina", password=PASSWORD)


def test_a_passkey_cannot_be_added_without_an_app(client, irina):
    client.force_login(irina)
    response = client.post(BEGIN_REGISTRATION)
    assert response.status_code == 403 and response.json()["code"] == "app_required"
    assert "Passkeys" not in client.get("/accounts/two-factor/").content.decode()


def test_a_passkey_cannot_be_added_from_a_session_not_verified_by_the_app(client, irina):
    totp_device(irina)
    client.force_login(irina)
    session = client.session
    session.pop("accounts_second_factor_owed", None)
    session.save()
    assert client.post(BEGIN_REGISTRATION).status_code == 403


def test_a_verified_session_gets_registration_options_for_this_site(client, irina):
    client.force_login(irina)
    verify_session(client, irina)
    passkey(irina)
    options = client.post(BEGIN_REGISTRATION).json()
    assert options["rp"] == {"id": "localhost", "name": "MPF Portal"}
    assert options["challenge"] and options["user"]["name"] == "irina"
    assert len(options["excludeCredentials"]) == 1  # the same authenticator is not registered twice


def test_the_second_step_may_reach_the_passkey_ceremony_and_nothing_else(client, irina):
    totp_device(irina)
    passkey(irina)
    client.post("/accounts/login/", {"username": "irina", "password": PASSWORD})
    assert client.get("/projects/").url.startswith("/accounts/two-factor/verify/")
    assert "Use a passkey" in client.get("/accounts/two-factor/verify/").content.decode()
    response = client.post(BEGIN_AUTHENTICATION)
    assert response.status_code == 200 and len(response.json()["allowCredentials"]) == 1
    assert client.post(BEGIN_REGISTRATION).status_code == 302  # adding one is not part of the second step


def test_the_verify_page_offers_a_passkey_only_to_who_has_one(client, irina):
    totp_device(irina)
    client.post("/accounts/login/", {"username": "irina", "password": PASSWORD})
    assert "Use a passkey" not in client.get("/accounts/two-factor/verify/").content.decode()


def test_no_passwordless_login(client, irina):
    passkey(irina)
    response = client.post(BEGIN_AUTHENTICATION)
    assert response.status_code == 403 and response.json()["code"] == "passwordless_login_disabled"


def test_the_two_factor_page_lists_the_passkeys_and_removes_one(client, irina):
    client.force_login(irina)
    verify_session(client, irina)
    kept, removed = passkey(irina, "Laptop", b"k1"), passkey(irina, "Phone", b"k2")
    page = client.get("/accounts/two-factor/").content.decode()
    assert "Laptop" in page and "Phone" in page and "otp_webauthn_register.js" in page
    response = client.post(f"/accounts/two-factor/passkeys/{removed.pk}/remove/")
    assert response.status_code == 302
    assert list(WebAuthnCredential.objects.filter(user=irina)) == [kept]
    entry = AuditEntry.objects.get(kind=Kind.MFA_RESET)
    assert entry.details == {"factor": "passkey", "by": "owner", "passkey_id": removed.pk}


def test_removing_a_passkey_takes_a_verified_session_and_ones_own_passkey(client, irina):
    other = passkey(UserFactory(username="oleg"), credential_id=b"k3")
    own = passkey(irina)
    client.force_login(irina)
    assert client.post(f"/accounts/two-factor/passkeys/{own.pk}/remove/").status_code == 403
    verify_session(client, irina)
    assert client.post(f"/accounts/two-factor/passkeys/{other.pk}/remove/").status_code == 404
    assert WebAuthnCredential.objects.count() == 2


def test_a_reset_by_a_superuser_removes_the_passkeys_too(irina, admin_user):
    totp_device(irina)
    passkey(irina)
    services.second_factors_remove(user=irina, removed_by=admin_user)
    assert not WebAuthnCredential.objects.filter(user=irina).exists()


def test_the_passkey_scripts_speak_russian_to_a_russian_reader(client):
    added, verified = (json.dumps(text)[1:-1] for text in ("Ключ доступа добавлен.", "Проверка пройдена."))
    assert added not in client.get("/accounts/passkeys/jsi18n/").content.decode()
    client.cookies["django_language"] = "ru"
    catalogue = client.get("/accounts/passkeys/jsi18n/").content.decode()
    assert added in catalogue and verified in catalogue
