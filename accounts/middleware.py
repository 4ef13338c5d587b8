from django.http import HttpResponseRedirect
from django.urls import reverse

from . import services
from .passkeys import SECOND_STEP_PATHS
from .two_factor import CODE_OWED, ENROLMENT_OWED, always_open, forget_owed, with_next


class SessionActivityMiddleware:
    """Keeps "last seen" of the signed-in session roughly current (services.user_session_seen)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and request.session.session_key:
            services.user_session_seen(session_key=request.session.session_key)
        return response


class SecondFactorMiddleware:
    """A session that owes a code or an enrolment reaches nothing else (after django_otp's OTPMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        owed = None
        if session is not None and session.get(CODE_OWED):
            owed = "two_factor_verify"
        elif session is not None and session.get(ENROLMENT_OWED):
            owed = "two_factor_enrol"
        if owed is not None and request.user.is_verified():  # verified meanwhile (by an enrolment, say)
            forget_owed(request)
            owed = None
        if owed is None or request.path == reverse(owed) or always_open(request.path):
            return self.get_response(request)
        if owed == "two_factor_verify" and request.path.startswith(SECOND_STEP_PATHS):
            return self.get_response(request)  # a passkey pays the code too
        target = request.get_full_path() if request.method == "GET" else None
        return HttpResponseRedirect(with_next(owed, target))
