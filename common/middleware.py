from django.conf import settings
from django.utils.cache import patch_cache_control

from .languages import PENDING_COOKIE, set_language_cookie


class ContentSecurityPolicyMiddleware:
    """Adds the configured Content-Security-Policy to every response that has none."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


class UserLanguageMiddleware:
    """Sets the language cookie on a response when the request chose a language for it.

    The login signal (common.signals) cannot reach the response; it marks the request with the
    user's saved language instead, and the cookie is set here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        language = getattr(request, PENDING_COOKIE, None)
        if language:
            set_language_cookie(response, language)
        return response


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in user, unless the view set its own.

    What a signed-in user sees depends on who they are: no shared cache (a proxy) may keep it, and
    the browser should not keep it on disk after logout. Pages for anonymous visitors are left as
    they are, so public pages stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response and _signed_in(request):
            patch_cache_control(response, private=True, no_store=True)
        return response


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated
