"""Single sign-on with OpenID Connect: the client side, with Authlib's Django client.

The flow is the authorization code flow with PKCE (S256). Authlib keeps the state, the nonce and the
PKCE verifier in the session when the user is sent to the provider, and on the way back it refuses a
state it did not issue, exchanges the code with the verifier, checks the ID token's signature against
the provider's JWKS (from its discovery document), and its issuer, audience, expiry and nonce. What to
do with the verified claims (which account, if any) is decided in `services.sso_account_for_claims`.

The provider is read from the settings on each use (so tests can point it at their own provider);
one Authlib client is kept per configuration, and with it the discovery document and keys it fetched.
"""

from __future__ import annotations

import threading

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from joserfc.errors import JoseError

CLIENT_NAME = "portal_sso"
NEXT_SESSION_KEY = "accounts_sso_next"

# Everything that can go wrong between the portal and the provider, or in what it sent back.
PROTOCOL_ERRORS = (AuthlibBaseError, JoseError, requests.RequestException, ValueError, KeyError, TypeError)

_clients: dict[tuple, object] = {}
_clients_lock = threading.Lock()


def enabled() -> bool:
    return bool(settings.OIDC_ENABLED)


def client():
    """The Authlib client for the configured provider."""
    config = (settings.OIDC_DISCOVERY_URL, settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET, settings.OIDC_TIMEOUT)
    with _clients_lock:
        found = _clients.get(config)
        if found is None:
            registry = OAuth()
            found = registry.register(
                CLIENT_NAME,
                client_id=settings.OIDC_CLIENT_ID,
                client_secret=settings.OIDC_CLIENT_SECRET,
                server_metadata_url=settings.OIDC_DISCOVERY_URL,
                client_kwargs={
                    "scope": "openid email profile",
                    "code_challenge_method": "S256",
                    "timeout": settings.OIDC_TIMEOUT,
                },
            )
            _clients[config] = found
    return found


def provider_mfa_asserted(claims) -> bool:
    """Whether the ID token says the provider asked for more than one factor, by the values the settings trust."""
    methods = claims.get("amr") or []
    if isinstance(methods, str):
        methods = [methods]
    if any(method in settings.OIDC_MFA_AMR_VALUES for method in methods):
        return True
    return bool(claims.get("acr")) and claims.get("acr") in settings.OIDC_MFA_ACR_VALUES


def provider_mfa_trusted(claims) -> bool:
    return bool(settings.OIDC_TRUST_PROVIDER_MFA) and provider_mfa_asserted(claims)


def password_login_refused(user) -> bool:
    """Programme staff (and superusers) sign in through the provider only, when the settings say so."""
    if not enabled() or settings.OIDC_STAFF_PASSWORD_LOGIN:
        return False
    return bool(user.is_staff or user.is_superuser)
