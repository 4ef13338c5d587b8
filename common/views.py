from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.i18n import LANGUAGE_QUERY_PARAMETER
from django.views.i18n import set_language as django_set_language
from django_htmx.http import HttpResponseClientRefresh
from kombu import Connection

from .imports import import_job_progress
from .languages import supported_language, use_language
from .models import UserPreferences
from .preferences import preferences_for


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = UserPreferences
        fields = ["language", "email_notifications"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", gettext_lazy("Your browser's language")), *settings.LANGUAGES]


def _database_state() -> str:
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return "down"
    return "ok"


def _broker_state() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # noqa: BLE001 - any failure to reach the broker means "down"
        return "down"
    return "ok"


def _cache_state() -> str:
    """Whether the cache answers ("ok" or "down"); pages are served without it all the same."""
    available = getattr(cache, "available", None)
    if available is not None:
        return "ok" if available() else "down"
    return "ok"  # the in-process cache of a development instance


def bad_request(request, exception):
    """Our 400 page; a request too large to read says so, and that nothing was saved."""
    context = {"too_large": isinstance(exception, RequestDataTooBig),
               "limit_megabytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)}  # fmt: skip
    return render(request, "400.html", context, status=400)


@never_cache
@require_GET
def healthz(request):
    database = _database_state()
    body = {"database": database, "cache": _cache_state(), "broker": _broker_state()}
    return JsonResponse(body, status=200 if database == "ok" else 503)


@login_required
def preferences(request):
    current = preferences_for(request.user)
    form = PreferencesForm(request.POST if request.method == "POST" else None, instance=current)
    if request.method == "POST" and form.is_valid():
        form.save()
        if form.instance.language:
            use_language(request, form.instance.language)  # UserLanguageMiddleware sets the cookie
        messages.success(request, _("Your preferences were saved."))
        return redirect("preferences")
    return render(request, "registration/preferences.html", {"form": form})


def set_language(request):
    """Django's set_language (the language cookie), which also saves a logged-in user's choice.

    A language that is not one of LANGUAGES changes nothing: the cookie is not set.
    """
    response = django_set_language(request)
    if request.method != "POST":
        return response
    language = supported_language(request.POST.get(LANGUAGE_QUERY_PARAMETER))
    if language is None:
        response.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    elif request.user.is_authenticated:
        current = preferences_for(request.user)
        if current.language != language:
            current.language = language
            current.save(update_fields=["language"])
    return response


def import_job_poll(request, job):
    """The answer to htmx polling an import job's page: its progress while it runs, then a full reload
    (the page then shows the job's outcome). None for a request that is not htmx."""
    if not request.htmx:
        return None
    if not job.is_active:
        return HttpResponseClientRefresh()
    response = render(request, "common/_import_job.html", {"job": job, "progress": import_job_progress(job)})
    patch_cache_control(response, private=True, no_store=True)
    return response
