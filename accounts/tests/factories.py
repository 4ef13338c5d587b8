from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.utils import timezone

from accounts.models import UserSession


def signed_in_session(user, *, user_agent: str = "Firefox on another computer", ip_address: str = "192.0.2.7"):
    """A live session of `user` in another browser, as a login there leaves it: the session and its row."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return UserSession.objects.create(
        session_key=store.session_key, user=user, last_seen=timezone.now(), user_agent=user_agent, ip_address=ip_address
    )


def totp_device(user, *, confirmed: bool = True):
    """An authenticator app of `user` (TOTP); `pyotp.TOTP(base32_secret(device)).now()` gives its code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=confirmed)


def base32_secret(device) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode()


def recovery_codes(user, codes=("recover1", "recover2")) -> list[str]:
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device = StaticDevice.objects.create(user=user, name="Recovery codes")
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return list(codes)


def verify_session(client, user):
    """The test client's session (logged in as `user`) verified by a second factor, as the admin requires."""
    from django_otp import DEVICE_ID_SESSION_KEY

    device = totp_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
