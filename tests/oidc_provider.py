"""A small OpenID Connect provider for the tests, served on loopback from a thread.

It is a real provider as far as the portal can tell: discovery, a JWKS, an authorization endpoint
with a sign-in page, a token endpoint and userinfo. ID tokens are signed RS256 with a key made
for the test session. It checks what a provider must check: the client's id and secret, the
redirect URI, single-use codes, and PKCE (S256 only: a code issued without a challenge, or
redeemed without the right verifier, is refused).

Tests steer it through attributes: `users` (login name → claims), `id_token_overrides` (claims
forced into the next ID tokens, e.g. another nonce) and `sign_with_other_key` (signs with a key
that is not in the JWKS, under the published key's id).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "mpf-portal"
CLIENT_SECRET = "test-client-secret"  # noqa: S105 - the test provider's own
KEY_ID = "test-key-1"


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class Provider:
    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})
        self.users: dict[str, dict] = {}
        self.codes: dict[str, dict] = {}
        self.access_tokens: dict[str, dict] = {}
        self.id_token_overrides: dict = {}
        self.sign_with_other_key = False
        self.authorization_requests: list[dict] = []  # what the client asked for, for the tests to inspect
        self.token_refusals: list[str] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # life cycle

    def start(self) -> Provider:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        with self.lock:
            self.users.clear()
            self.codes.clear()
            self.access_tokens.clear()
            self.id_token_overrides = {}
            self.sign_with_other_key = False
            self.authorization_requests.clear()
            self.token_refusals.clear()

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def metadata(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": ["openid", "email", "profile"],
        }

    # the protocol

    def authorization_error(self, params: dict) -> str | None:
        """Why an authorization request is refused outright (shown on the provider's page), if it is."""
        if params.get("client_id") != CLIENT_ID:
            return "unknown client"
        if params.get("response_type") != "code":
            return "unsupported response_type"
        if "openid" not in params.get("scope", "").split():
            return "the openid scope is missing"
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return "PKCE with S256 is required"
        if not params.get("redirect_uri", "").startswith(
            ("http://127.0.0.1:", "http://localhost:", "http://testserver")
        ):
            return "redirect_uri not registered"
        return None

    def issue_code(self, params: dict, login: str) -> str:
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = {
                "login": login,
                "redirect_uri": params["redirect_uri"],
                "nonce": params.get("nonce"),
                "code_challenge": params["code_challenge"],
                "issued": time.time(),
            }
        return code

    def redeem_code(self, form: dict, client_id: str, client_secret: str) -> tuple[int, dict]:
        if client_id != CLIENT_ID or not secrets.compare_digest(client_secret, CLIENT_SECRET):
            return self._refuse(401, "invalid_client")
        if form.get("grant_type") != "authorization_code":
            return self._refuse(400, "unsupported_grant_type")
        with self.lock:
            grant = self.codes.pop(form.get("code", ""), None)  # a code is good for one try only
        if grant is None or time.time() - grant["issued"] > 60:
            return self._refuse(400, "invalid_grant")
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return self._refuse(400, "invalid_grant")
        verifier = form.get("code_verifier", "")
        if not verifier or not secrets.compare_digest(pkce_challenge(verifier), grant["code_challenge"]):
            return self._refuse(400, "invalid_grant", "PKCE verification failed")
        claims = self.users[grant["login"]]
        access_token = secrets.token_urlsafe(24)
        with self.lock:
            self.access_tokens[access_token] = claims
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": self.id_token(claims, nonce=grant["nonce"], access_token=access_token),
        }

    def _refuse(self, status: int, error: str, description: str = "") -> tuple[int, dict]:
        self.token_refusals.append(description or error)
        return status, {"error": error, "error_description": description}

    def id_token(self, claims: dict, *, nonce: str | None, access_token: str) -> str:
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "auth_time": now,
            "at_hash": _half_hash(access_token),
            **({"nonce": nonce} if nonce else {}),
            **claims,
            **self.id_token_overrides,
        }
        key = self.other_key if self.sign_with_other_key else self.key
        return jwt.encode({"alg": "RS256", "kid": KEY_ID}, payload, key)

    def sign_in(self, authorize_url: str, login: str) -> str:
        """What a person does on the provider's page, done with an HTTP client: the callback URL it sends them to."""
        import requests

        parsed = urlparse(authorize_url)
        params = {name: values[0] for name, values in parse_qs(parsed.query).items()}
        response = requests.post(
            f"{self.issuer}/authorize", data={**params, "login": login}, allow_redirects=False, timeout=5
        )
        assert response.status_code == 302, response.text
        return response.headers["Location"]


def _half_hash(value: str) -> str:
    digest = hashlib.sha256(value.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode("ascii")


SIGN_IN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
<body><main><h1>Test identity provider</h1>
<form method="post" action="/authorize">{hidden}
<label for="login">Account</label> <input id="login" name="login" autocomplete="username">
<button type="submit">Continue</button></form></main></body></html>"""


def _handler_for(provider: Provider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 - the base class's name
            pass

        def do_GET(self):
            url = urlparse(self.path)
            params = {name: values[0] for name, values in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                return self._json(200, provider.metadata())
            if url.path == "/jwks":
                return self._json(200, {"keys": [provider.key.as_dict(private=False)]})
            if url.path == "/authorize":
                return self._authorize_page(params)
            if url.path == "/userinfo":
                return self._userinfo()
            return self._json(404, {"error": "not_found"})

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length).decode()
            form = {name: values[0] for name, values in parse_qs(body).items()}
            if self.path == "/authorize":
                return self._authorize_submit(form)
            if self.path == "/token":
                client_id, client_secret = self._client_credentials(form)
                return self._json(*provider.redeem_code(form, client_id, client_secret))
            return self._json(404, {"error": "not_found"})

        def _authorize_page(self, params: dict):
            provider.authorization_requests.append(dict(params))
            error = provider.authorization_error(params)
            if error:
                return self._html(400, f"<p>{html.escape(error)}</p>")
            hidden = "".join(
                f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'
                for name, value in params.items()
            )
            return self._html(200, SIGN_IN_PAGE.format(hidden=hidden))

        def _authorize_submit(self, form: dict):
            login = form.pop("login", "")
            error = provider.authorization_error(form)
            if error:
                return self._html(400, f"<p>{html.escape(error)}</p>")
            if login not in provider.users:
                return self._html(200, "<p>Unknown account</p>")
            code = provider.issue_code(form, login)
            query = urlencode({"code": code, **({"state": form["state"]} if "state" in form else {})})
            separator = "&" if "?" in form["redirect_uri"] else "?"
            self.send_response(302)
            self.send_header("Location", f"{form['redirect_uri']}{separator}{query}")
            self.end_headers()

        def _client_credentials(self, form: dict) -> tuple[str, str]:
            header = self.headers.get("Authorization", "")
            if header.startswith("Basic "):
                decoded = base64.b64decode(header[6:]).decode()
                client_id, _, client_secret = decoded.partition(":")
                from urllib.parse import unquote_plus

                return unquote_plus(client_id), unquote_plus(client_secret)
            return form.get("client_id", ""), form.get("client_secret", "")

        def _userinfo(self):
            header = self.headers.get("Authorization", "")
            claims = provider.access_tokens.get(header.removeprefix("Bearer "))
            if claims is None:
                return self._json(401, {"error": "invalid_token"})
            return self._json(200, claims)

        def _json(self, status: int, payload: dict):
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _html(self, status: int, text: str):
            body = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


# pytest fixtures: `oidc_provider` (one per test session, emptied before each test) and `sso_settings`
# (the portal pointed at it). Imported by the conftest of the tests that use them.

import pytest  # noqa: E402 - the fixtures below only


@pytest.fixture(scope="session")
def _oidc_provider_session():
    provider = Provider().start()
    yield provider
    provider.stop()


@pytest.fixture
def oidc_provider(_oidc_provider_session):
    _oidc_provider_session.reset()
    yield _oidc_provider_session
    _oidc_provider_session.reset()


@pytest.fixture
def sso_settings(settings, oidc_provider):
    settings.OIDC_ENABLED = True
    settings.OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_DISCOVERY_URL = oidc_provider.discovery_url
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_ALLOWED_EMAIL_DOMAINS = ["example.org"]
    settings.OIDC_LOGIN_LABEL = "Example ID"
    settings.OIDC_STAFF_PASSWORD_LOGIN = True
    settings.OIDC_TRUST_PROVIDER_MFA = False
    settings.MFA_REQUIRED_ROLES = []
    return settings
