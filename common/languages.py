"""The interface language: the switcher's cookie, and a logged-in user's saved language.

LocaleMiddleware picks the language from Django's language cookie, else the browser's
Accept-Language, else LANGUAGE_CODE. The switcher (/i18n/setlang/) sets the cookie and, for a
logged-in user, saves the choice in their preferences; at login the saved language is put in
the cookie (common.signals, UserLanguageMiddleware), so that it follows the user from browser
to browser. A code that is not one of LANGUAGES is ignored wherever it comes from.
"""

from django.conf import settings
from django.utils import translation

# Set on a request by the login signal: the language whose cookie its response must carry.
PENDING_COOKIE = "_portal_language_cookie"


def russian_is_active() -> bool:
    """Whether the active language is Russian (`ru`, or a regional variant such as `ru-by`)."""
    return (translation.get_language() or "").split("-")[0] == "ru"


def in_reader_language(english: str, russian: str | None) -> str:
    """The Russian version of a text while Russian is active and it is filled in, else the English.

    For rows read with `values()`; model instances have `localized()` (common.models).
    """
    if russian and russian.strip() and russian_is_active():
        return russian
    return english


def supported_language(code: str | None) -> str | None:
    """`code` as one of settings.LANGUAGES (`en-gb` gives `en`), or None if it is none of them."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def set_language_cookie(response, code: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def use_language(request, code: str) -> None:
    """Switches this request to `code` and has its response set the language cookie."""
    translation.activate(code)
    request.LANGUAGE_CODE = code
    setattr(request, PENDING_COOKIE, code)


def languages_of(users) -> dict:
    """Each user's language to be written to in (e-mails), by user id: their saved one, else the default."""
    from .models import UserPreferences

    saved = dict(
        UserPreferences.objects.filter(user__in=[user.pk for user in users]).values_list("user_id", "language")
    )
    return {user.pk: supported_language(saved.get(user.pk)) or settings.LANGUAGE_CODE for user in users}
