import logging

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from kombu.exceptions import OperationalError

from . import selectors, services, sso, two_factor
from .forms import EnrolmentCodeForm, PortalAuthenticationForm, SecondFactorCodeForm
from .tasks import send_password_reset
from .throttle import password_reset_allowed

logger = logging.getLogger("mpf.security")

# Publishing the e-mail must not hold the page for long when the broker is down.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}


class LoginView(auth_views.LoginView):
    """Django's, with the single sign-on button when it is configured, and staff sent to it when so set."""

    authentication_form = PortalAuthenticationForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sso_enabled"] = sso.enabled()
        context["sso_label"] = settings.OIDC_LOGIN_LABEL
        return context


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, throttled, with the lookup and the e-mail left to the worker.

    Every valid request gets the same "if an account has that address" page, at the same speed:
    whether the address has an account, and whether the request was over the limit, shows nowhere.
    """

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        if password_reset_allowed(email=email, address=get_client_ip_address(self.request)):
            arguments = (email, self.request.get_host(), self.request.is_secure(), get_language())
            try:
                send_password_reset.apply_async(arguments, retry_policy=PUBLISH_RETRY_POLICY)
            except OperationalError:
                logger.warning("Broker unavailable: the password-reset e-mail is sent from the web process")
                send_password_reset(*arguments)
        return HttpResponseRedirect(self.get_success_url())


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's; the user's other browsers are logged out, this one stays (with a new session key)."""

    def form_valid(self, form):
        previous_key = self.request.session.session_key
        response = super().form_valid(form)
        current_key = self.request.session.session_key
        services.user_session_renew(user=form.user, old_key=previous_key, new_key=current_key)
        services.user_sessions_end_others(user=form.user, keep_key=current_key)
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's; with the new password, every browser signed in with the old one is logged out."""

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_sessions_end_all(user=form.user)
        return response


@login_required
def session_list(request):
    sessions = selectors.user_sessions_active(user=request.user)
    context = {"sessions": sessions, "current_key": request.session.session_key}
    return render(request, "accounts/sessions.html", context)


@login_required
@require_POST
def session_end(request, session_id):
    session = selectors.user_session_get_for_user(user=request.user, session_id=session_id)
    if session.session_key == request.session.session_key:
        logout(request)
        return redirect("login")
    services.user_session_end(session=session)
    messages.success(request, _("That browser is logged out."))
    return redirect("sessions")


@login_required
@require_POST
def sessions_end_others(request):
    ended = services.user_sessions_end_others(user=request.user, keep_key=request.session.session_key)
    messages.success(
        request,
        ngettext("%(count)d other session was logged out.", "%(count)d other sessions were logged out.", ended)
        % {"count": ended},
    )
    return redirect("sessions")


# Two-factor login (two_factor.py explains the flow).


@login_required
def two_factor_verify(request):
    """The second step of the log-in: a code from the app, or a recovery code."""
    if request.user.is_verified():
        return redirect(two_factor.safe_next(request))
    if not selectors.user_has_second_factor(user=request.user):
        two_factor.login_started(request, request.user)  # removed meanwhile: owes nothing, or an enrolment
        return redirect("two_factor")
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.second_factor_verify(user=request.user, code=form.cleaned_data["code"])
        if device is not None:
            two_factor.mark_verified(request, device)
            return redirect(two_factor.safe_next(request))
        if two_factor.failure_counted(request):
            logout(request)
            messages.error(request, _("Too many wrong codes. Log in again."))
            return redirect("login")
        form.add_error("code", _("That code is not right, or it has been used already. Try again."))
    context = {
        "form": form,
        "next": request.GET.get("next", ""),
        "has_passkeys": selectors.user_passkeys(user=request.user).exists(),
    }
    return render(request, "accounts/two_factor_verify.html", context)


@login_required
def two_factor_enrol(request):
    """Setting up an authenticator app: scan, type one code, receive the recovery codes."""
    if selectors.user_has_second_factor(user=request.user):
        if not request.user.is_verified():
            two_factor.login_started(request, request.user)  # enrolled in another browser: a code is owed
        return redirect("two_factor")
    device = services.totp_device_pending(user=request.user)
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.totp_device_confirm(device=device, token=form.cleaned_data["code"].replace(" ", ""))
        if codes is not None:
            two_factor.mark_verified(request, device)
            context = {"codes": codes, "continue_to": two_factor.safe_next(request, default="two_factor")}
            return render(request, "accounts/recovery_codes.html", context)
        form.add_error("code", _("That code is not right. Check the app's clock and try the newest code."))
    context = {
        "form": form,
        "qr_svg": two_factor.provisioning_svg(device),
        "secret": two_factor.secret_for_typing(device),
        "required": selectors.second_factor_required(user=request.user),
        "next": request.GET.get("next", ""),
    }
    return render(request, "accounts/two_factor_enrol.html", context)


@login_required
def two_factor_settings(request):
    context = {
        "device": selectors.user_totp_device(user=request.user),
        "passkeys": selectors.user_passkeys(user=request.user),
        "codes_left": selectors.recovery_codes_left(user=request.user),
        "required": selectors.second_factor_required(user=request.user),
    }
    return render(request, "accounts/two_factor.html", context)


def _verified_or_403(request) -> None:
    """Changing one's factors takes a session verified with one of them."""
    if not request.user.is_verified():
        raise PermissionDenied


@login_required
@require_POST
def recovery_codes_regenerate(request):
    _verified_or_403(request)
    codes = services.recovery_codes_regenerate(user=request.user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "continue_to": reverse("two_factor")})


@login_required
@require_POST
def two_factor_disable(request):
    _verified_or_403(request)
    if selectors.second_factor_required(user=request.user):
        messages.error(request, _("Your role requires a second factor: it cannot be turned off."))
        return redirect("two_factor")
    services.second_factors_remove(user=request.user, removed_by=request.user)
    messages.success(request, _("Two-factor login is turned off."))
    return redirect("two_factor")


@login_required
@require_POST
def passkey_remove(request, passkey_id):
    passkey = selectors.user_passkey_get_for_user(user=request.user, passkey_id=passkey_id)
    _verified_or_403(request)
    services.passkey_remove(passkey=passkey)
    messages.success(request, _("The passkey is removed."))
    return redirect("two_factor")


# Single sign-on (sso.py explains the flow).

SSO_REFUSALS = {
    selectors.SSO_EMAIL_MISSING: gettext_lazy("The sign-in service did not give an e-mail address for your account."),
    selectors.SSO_EMAIL_UNVERIFIED: gettext_lazy(
        "The sign-in service has not verified the e-mail address of your account, so it cannot be matched "
        "to an account of the portal."
    ),
    selectors.SSO_DOMAIN_NOT_ALLOWED: gettext_lazy("Addresses of that domain cannot sign in to the portal."),
    selectors.SSO_UNKNOWN_ACCOUNT: gettext_lazy(
        "No account of the portal has the address %(email)s. Ask the programme staff to create one for you."
    ),
    selectors.SSO_AMBIGUOUS_ACCOUNT: gettext_lazy(
        "More than one account of the portal has the address %(email)s. Ask the programme staff to correct it."
    ),
    selectors.SSO_ACCOUNT_INACTIVE: gettext_lazy("Your account of the portal is deactivated."),
}


def _sso_or_404() -> None:
    if not sso.enabled():
        raise Http404


def _sso_refused(request, *, reason: str, email: str = "", error: str = ""):
    services.sso_login_refused(request=request, reason=reason, email=email, error=error)
    message = SSO_REFUSALS.get(reason)
    if message is None:
        message = _("Single sign-on did not succeed. Try again, or log in with your password.")
    messages.error(request, str(message) % {"email": email})
    return redirect("login")


def sso_login(request):
    """Sends the browser to the provider, with the state, nonce and PKCE challenge kept in the session."""
    _sso_or_404()
    request.session[sso.NEXT_SESSION_KEY] = two_factor.safe_next(request)
    try:
        return sso.client().authorize_redirect(request, request.build_absolute_uri(reverse("sso_callback")))
    except sso.PROTOCOL_ERRORS:
        logger.exception("Single sign-on: the provider's discovery document could not be read")
        messages.error(request, _("The sign-in service cannot be reached just now. Try again later."))
        return redirect("login")


def sso_callback(request):
    """The provider's answer: the code exchanged (with the PKCE verifier), the ID token checked, the account found."""
    _sso_or_404()
    try:
        token = sso.client().authorize_access_token(request)
    except sso.PROTOCOL_ERRORS as error:
        logger.warning("Single sign-on refused: %s: %s", type(error).__name__, error)
        return _sso_refused(request, reason="protocol_error", error=type(error).__name__)
    claims = token.get("userinfo")
    if not claims:  # no ID token came with the access token: nobody's identity was proved
        return _sso_refused(request, reason="no_id_token")
    user, refusal = selectors.sso_account_for_claims(claims=claims)
    email = claims.get("email") if isinstance(claims.get("email"), str) else ""
    if user is None:
        return _sso_refused(request, reason=refusal, email=email)
    target = request.session.pop(sso.NEXT_SESSION_KEY, None) or reverse("home")
    trusted = sso.provider_mfa_trusted(claims)
    request.audit_login_details = {"via": "sso", "provider_mfa": trusted}
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if trusted:
        two_factor.forget_owed(request)  # the provider asked for a second factor: the portal does not ask again
    return redirect(target)
