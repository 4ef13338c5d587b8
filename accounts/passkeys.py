"""Passkeys (WebAuthn) as a second factor, with django-otp-webauthn.

The library does the ceremonies (options, attestation and assertion checks, sign counts) and ships the
browser's side as static files. The portal narrows it to its own rules:

- a passkey is added beside an authenticator app, by a session verified with a factor the user already
  has (the app's recovery codes stay the way back in), and never signs anyone in without the password
  (OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN is off);
- at the second step it verifies the session as a code does (`two_factor.mark_verified`: new session
  key, nothing more owed);
- enrolments are recorded in the audit trail.
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import exceptions
from django_otp_webauthn import views as webauthn_views

from audit.models import Kind as AuditKind
from audit.services import record

from . import selectors, two_factor


class AppRequired(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_code = "app_required"
    default_detail = _("Set up an authenticator app first, and log in with it, before you add a passkey.")


class PasskeyRegistrationMixin:
    def check_can_register(self):
        user = self.get_user()
        if not (selectors.user_has_second_factor(user=user) and user.is_verified()):
            raise AppRequired()


class BeginRegistration(PasskeyRegistrationMixin, webauthn_views.BeginCredentialRegistrationView):
    pass


class CompleteRegistration(PasskeyRegistrationMixin, webauthn_views.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        if response.status_code == 200:
            record(
                kind=AuditKind.MFA_ENROLLED,
                request=self.request,
                target=self.request.user,
                details={"factor": "passkey"},
            )
        return response


class BeginAuthentication(webauthn_views.BeginCredentialAuthenticationView):
    pass


class CompleteAuthentication(webauthn_views.CompleteCredentialAuthenticationView):
    def complete_auth(self, device):
        if not self.request.user.is_authenticated or device.user_id != self.request.user.pk:
            raise exceptions.PasswordlessLoginDisabled()
        two_factor.mark_verified(self.request, device)

    def get_success_url(self):
        return two_factor.safe_next(self.request)


# The names are the library's: its template tags and scripts reverse them.
app_name = "otp_webauthn"
urlpatterns = [
    path("registration/begin/", BeginRegistration.as_view(), name="credential-registration-begin"),
    path("registration/complete/", CompleteRegistration.as_view(), name="credential-registration-complete"),
    path("authentication/begin/", BeginAuthentication.as_view(), name="credential-authentication-begin"),
    path("authentication/complete/", CompleteAuthentication.as_view(), name="credential-authentication-complete"),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]), name="js-i18n-catalog"),
]

# Paths a session that still owes its code may reach: the passkey is one way to pay it.
SECOND_STEP_PATHS = ("/accounts/passkeys/authentication/", "/accounts/passkeys/jsi18n/")
