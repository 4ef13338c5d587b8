from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from audit.models import Kind as AuditKind
from audit.services import record

from . import sso


class SecondFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The six digits your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
    )


class EnrolmentCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=8,
        help_text=_("The six digits the app shows for the MPF Portal, to confirm it is set up."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PortalAuthenticationForm(AuthenticationForm):
    """Django's log-in form; programme staff are sent to single sign-on when their passwords are turned off.

    The refusal comes after the password was checked, so it tells nothing about a name without it.
    """

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if sso.password_login_refused(user):
            record(
                kind=AuditKind.LOGIN_FAILED,
                request=self.request,
                actor=user,
                details={"username": user.get_username(), "reason": "staff_password_login_off"},
            )
            label = settings.OIDC_LOGIN_LABEL
            message = (
                _("Programme staff sign in with %(label)s: use the button below.") % {"label": label}
                if label
                else _("Programme staff sign in with single sign-on: use the button below.")
            )
            raise forms.ValidationError(message, code="sso_required")
