"""Two-factor login: the second step, enrolment, recovery codes, roles that require it, the admin, resets."""

import logging

import pyotp
import pytest
from django.contrib.auth import SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import UserSession
from accounts.tests.factories import base32_secret, recovery_codes, signed_in_session, totp_device, verify_session
from projects.tests.factories import UserFactory
from tests.test_settings import PRODUCTION, manage

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
ALL_ROLES = ("superuser", "staff", "manager")


@pytest.fixture(autouse=True)
def _no_device_throttling(settings):
    """django_otp's own delay after a wrong code (kept in production) would refuse a right code sent at once."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def code_now(device) -> str:
    return pyotp.TOTP(base32_secret(device)).now()


def password_login(client, user, next_url=""):
    data = {"username": user.username, "password": PASSWORD}
    url = "/accounts/login/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data | ({"next": next_url} if next_url else {}))


@pytest.fixture
def enrolled(db):
    user = UserFactory(username="tanya", password=PASSWORD)
    return user, totp_device(user), recovery_codes(user, ("aaaa2222", "bbbb3333"))


# The second step


def test_after_the_password_a_user_with_an_app_is_asked_for_the_code_and_gets_nothing_else(client, enrolled):
    response = password_login(client, enrolled[0], next_url="/projects/")
    assert response.status_code == 302
    response = client.get(response.url)
    assert response.status_code == 302 and response.url == "/accounts/two-factor/verify/?next=%2Fprojects%2F"
    for path in ("/projects/", "/accounts/preferences/", "/accounts/two-factor/", "/api/projects/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/accounts/two-factor/verify/"), path
    assert client.get("/accounts/two-factor/verify/").status_code == 200


def test_the_right_code_verifies_the_session_and_follows_next(client, enrolled):
    user, device, _ = enrolled
    password_login(client, user)
    response = client.post("/accounts/two-factor/verify/", {"code": code_now(device), "next": "/projects/"})
    assert response.status_code == 302 and response.url == "/projects/"
    assert client.get("/projects/").status_code == 200
    assert client.get("/accounts/preferences/").status_code == 200


def test_verification_renews_the_session_key_and_its_row(client, enrolled):
    user, device, _ = enrolled
    password_login(client, user)
    before = client.session.session_key
    client.post("/accounts/two-factor/verify/", {"code": code_now(device)})
    after = client.session.session_key
    assert before != after
    assert UserSession.objects.filter(user=user).values_list("session_key", flat=True).get() == after


def test_an_outside_next_is_not_followed(client, enrolled):
    user, device, _ = enrolled
    password_login(client, user)
    response = client.post("/accounts/two-factor/verify/", {"code": code_now(device), "next": "https://evil.example"})
    assert response.url == "/"


def test_a_recovery_code_logs_in_once(client, enrolled):
    user, _, codes = enrolled
    password_login(client, user)
    response = client.post("/accounts/two-factor/verify/", {"code": codes[0].upper()})
    assert response.status_code == 302
    assert client.get("/projects/").status_code == 200
    client.post("/accounts/logout/")
    password_login(client, user)
    response = client.post("/accounts/two-factor/verify/", {"code": codes[0]})
    assert response.status_code == 200 and "not right" in response.content.decode()
    assert client.get("/projects/").status_code == 302


def test_a_wrong_code_is_refused(client, enrolled):
    password_login(client, enrolled[0])
    response = client.post("/accounts/two-factor/verify/", {"code": "000000"})
    assert response.status_code == 200
    assert client.get("/projects/").url.startswith("/accounts/two-factor/verify/")


def test_five_wrong_codes_drop_the_login_and_are_logged(client, enrolled, caplog):
    user, device, _ = enrolled
    password_login(client, user)
    for _attempt in range(4):
        assert client.post("/accounts/two-factor/verify/", {"code": "000000"}).status_code == 200
    with caplog.at_level(logging.WARNING, logger="mpf.security"):
        response = client.post("/accounts/two-factor/verify/", {"code": "000000"})
    assert response.status_code == 302 and response.url == "/accounts/login/"
    assert SESSION_KEY not in client.session
    assert "wrong second-factor codes" in caplog.text
    response = client.post("/accounts/two-factor/verify/", {"code": code_now(device)})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_a_right_code_resets_the_count_of_wrong_ones(client, enrolled):
    user, device, _ = enrolled
    password_login(client, user)
    for _attempt in range(4):
        client.post("/accounts/two-factor/verify/", {"code": "000000"})
    client.post("/accounts/two-factor/verify/", {"code": code_now(device)})
    client.post("/accounts/logout/")
    password_login(client, user)
    for _attempt in range(4):
        assert client.post("/accounts/two-factor/verify/", {"code": "000000"}).status_code == 200


def test_a_user_without_a_factor_logs_in_with_the_password_alone(client, users, settings):
    settings.MFA_REQUIRED_ROLES = []
    user = UserFactory(username="plain", password=PASSWORD, is_staff=True, is_superuser=True)
    response = password_login(client, user)
    assert client.get(response.url).status_code in (200, 302)
    assert client.get("/accounts/preferences/").status_code == 200


# Roles that require a factor


@pytest.mark.parametrize("role", ["staff", "manager"])
def test_a_role_that_requires_a_factor_is_sent_to_enrol_and_gets_nothing_else(client, users, settings, role):
    settings.MFA_REQUIRED_ROLES = [role]
    user = users[role]
    user.set_password(PASSWORD)
    user.save()
    password_login(client, user)
    for path in ("/", "/projects/", "/accounts/preferences/", "/accounts/two-factor/", "/dashboard/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/accounts/two-factor/enrol/"), path
    assert client.get("/accounts/two-factor/enrol/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302


def test_a_superuser_is_sent_to_enrol_when_superusers_require_a_factor(client, settings):
    settings.MFA_REQUIRED_ROLES = ["superuser"]
    root = UserFactory(username="root", password=PASSWORD, is_superuser=True)
    password_login(client, root)
    assert client.get("/projects/").url.startswith("/accounts/two-factor/enrol/")


@pytest.mark.parametrize("role", ["outsider", "other_drafter", "portfolio_donor", "donor", "reviewer", "drafter"])
def test_other_roles_may_log_in_without_a_factor_even_in_production(client, users, settings, role):
    settings.MFA_REQUIRED_ROLES = list(ALL_ROLES)
    user = users[role]
    user.set_password(PASSWORD)
    user.save()
    password_login(client, user)
    assert client.get("/accounts/preferences/").status_code == 200


@pytest.mark.parametrize("role", ["staff", "manager"])
def test_nobody_is_obliged_while_the_setting_is_empty(client, users, settings, role):
    settings.MFA_REQUIRED_ROLES = []
    user = users[role]
    user.set_password(PASSWORD)
    user.save()
    password_login(client, user)
    assert client.get("/accounts/preferences/").status_code == 200


# Enrolment


def test_enrolment_shows_a_qr_code_and_the_key_and_confirms_with_a_code(client, users, settings):
    settings.MFA_REQUIRED_ROLES = ["staff"]
    user = users["staff"]
    user.set_password(PASSWORD)
    user.save()
    password_login(client, user, next_url="/projects/")
    page = client.get("/accounts/two-factor/enrol/?next=/projects/").content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    qr_svg = client.get("/accounts/two-factor/enrol/").context["qr_svg"]
    assert qr_svg.startswith("<svg") and "<path" in qr_svg and qr_svg in page  # drawn here, no image service
    assert base32_secret(device)[:4] in page
    assert client.post("/accounts/two-factor/enrol/", {"code": "000000"}).status_code == 200
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()

    response = client.post("/accounts/two-factor/enrol/", {"code": code_now(device), "next": "/projects/"})

    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code in response.content.decode() for code in codes)
    assert 'href="/projects/"' in response.content.decode()
    assert TOTPDevice.objects.get(user=user).confirmed
    assert client.get("/projects/").status_code == 200  # verified, nothing owed any more
    settings_page = client.get("/accounts/two-factor/").content.decode()
    assert not any(code in settings_page for code in codes)  # shown once


def test_the_key_shown_stays_the_same_until_the_enrolment_is_confirmed(client, users):
    client.force_login(users["drafter"])
    first = client.get("/accounts/two-factor/enrol/").context["secret"]
    assert client.get("/accounts/two-factor/enrol/").context["secret"] == first


def test_enrolment_logs_the_event(client, users, caplog):
    client.force_login(users["drafter"])
    client.get("/accounts/two-factor/enrol/")
    device = TOTPDevice.objects.get(user=users["drafter"])
    with caplog.at_level(logging.INFO, logger="mpf.security"):
        client.post("/accounts/two-factor/enrol/", {"code": code_now(device)})
    assert f"User {users['drafter'].pk} enrolled" in caplog.text


def test_a_user_with_a_factor_cannot_enrol_a_second_one(client, enrolled):
    user, device, _ = enrolled
    password_login(client, user)
    client.post("/accounts/two-factor/verify/", {"code": code_now(device)})
    response = client.get("/accounts/two-factor/enrol/")
    assert response.status_code == 302 and response.url == "/accounts/two-factor/"
    assert TOTPDevice.objects.filter(user=user).count() == 1


# Recovery codes and turning it off


def test_new_recovery_codes_replace_the_old_ones(client, enrolled):
    user, device, old = enrolled
    password_login(client, user)
    client.post("/accounts/two-factor/verify/", {"code": code_now(device)})
    response = client.post("/accounts/two-factor/recovery-codes/")
    new = response.context["codes"]
    assert len(new) == 10
    tokens = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert tokens == set(new) and not tokens & set(old)
    assert client.get("/projects/").status_code == 200  # the session stays verified


def test_changing_factors_takes_a_verified_session(client, users):
    client.force_login(users["drafter"])
    assert client.post("/accounts/two-factor/recovery-codes/").status_code == 403
    assert client.post("/accounts/two-factor/disable/").status_code == 403


def test_a_user_whose_role_does_not_require_it_may_turn_it_off(client, enrolled, settings):
    settings.MFA_REQUIRED_ROLES = list(ALL_ROLES)
    user, device, _ = enrolled
    password_login(client, user)
    client.post("/accounts/two-factor/verify/", {"code": code_now(device)})
    assert client.post("/accounts/two-factor/disable/").status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists() and not StaticDevice.objects.filter(user=user).exists()


@pytest.mark.parametrize("role", ["staff", "manager"])
def test_turning_it_off_is_refused_while_the_role_requires_it(client, users, settings, role):
    settings.MFA_REQUIRED_ROLES = [role]
    client.force_login(users[role])
    verify_session(client, users[role])
    response = client.post("/accounts/two-factor/disable/", follow=True)
    assert "cannot be turned off" in response.content.decode()
    assert TOTPDevice.objects.filter(user=users[role]).exists()


# The admin


def test_the_admin_sends_unverified_staff_to_enrol_then_to_the_code(client, users):
    client.force_login(users["staff"])
    response = client.get("/admin/")
    assert response.status_code == 302
    response = client.get(response.url)
    assert response.status_code == 302 and response.url.startswith("/accounts/two-factor/enrol/?next=")
    totp_device(users["staff"])
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response.url == "/accounts/two-factor/verify/?next=%2Fadmin%2F"


def test_the_admin_opens_to_verified_staff(client, users):
    client.force_login(users["staff"])
    verify_session(client, users["staff"])
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    "role", ["outsider", "other_drafter", "portfolio_donor", "donor", "reviewer", "drafter", "manager"]
)
def test_the_admin_refuses_every_other_role_even_verified(client, users, role):
    client.force_login(users[role])
    verify_session(client, users[role])
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")


def test_the_admin_with_a_password_and_a_code(client, enrolled):
    user, device, _ = enrolled
    user.is_staff = True
    user.save()
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=")
    response = password_login(client, user, next_url="/admin/")
    assert client.get("/admin/").status_code == 302
    response = client.post("/accounts/two-factor/verify/", {"code": code_now(device), "next": "/admin/"})
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


# A superuser resets the factors of a user who lost them all


def _reset(client, *accounts):
    data = {"action": "reset_second_factor", "_selected_action": [a.pk for a in accounts], "index": 0}
    return client.post("/admin/auth/user/", data, follow=True)


def test_a_superuser_resets_another_users_factors_and_ends_their_sessions(admin_client, admin_user, enrolled, caplog):
    user, _, _ = enrolled
    session = signed_in_session(user)
    with caplog.at_level(logging.WARNING, logger="mpf.security"):
        response = _reset(admin_client, user)
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=user).exists() and not StaticDevice.objects.filter(user=user).exists()
    assert not UserSession.objects.filter(pk=session.pk).exists()
    assert f"Superuser {admin_user.pk} reset the second factor of user {user.pk}" in caplog.text


def test_a_superuser_does_not_reset_their_own_factors(admin_client, admin_user):
    _reset(admin_client, admin_user)
    assert TOTPDevice.objects.filter(user=admin_user).exists()


def test_staff_do_not_get_the_reset_action(client, enrolled):
    from django.contrib.auth.models import Permission

    user, _, _ = enrolled
    staff = UserFactory(username="sofia", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="auth"))
    client.force_login(staff)
    verify_session(client, staff)
    page = client.get("/admin/auth/user/").content.decode()
    assert "reset_second_factor" not in page
    _reset(client, user)
    assert TOTPDevice.objects.filter(user=user).exists()


# Configuration


def test_production_requires_a_factor_of_the_three_roles_by_default():
    code = "from django.conf import settings; print('roles=' + ','.join(settings.MFA_REQUIRED_ROLES))"
    production, development = manage("shell", "-c", code, **PRODUCTION), manage("shell", "-c", code)
    assert "roles=superuser,staff,manager\n" in production.stdout, production.stderr
    assert "roles=\n" in development.stdout, development.stderr


def test_an_unknown_role_stops_start_up_naming_the_variable():
    result = manage("check", MFA_REQUIRED_ROLES="staff,donor")
    assert result.returncode != 0 and "MFA_REQUIRED_ROLES" in result.stderr
