"""The admin site: staff with a session verified by a second factor, whatever MFA_REQUIRED_ROLES says."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.urls import reverse

from . import selectors
from .two_factor import safe_next, with_next


class PortalAdminSite(admin.AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and request.user.is_verified()  # django_otp's OTPMiddleware

    def login(self, request, extra_context=None):
        """The portal's own log-in and its second step: the admin's form would ask for the password alone.

        Staff without a verified session are sent to give their code, or to enrol a factor first.
        """
        target = safe_next(request, default="admin:index")
        user = request.user
        if not (user.is_active and user.is_staff):
            return redirect_to_login(target, reverse("login"))
        if user.is_verified():
            return HttpResponseRedirect(target)
        if selectors.user_has_second_factor(user=user):
            return HttpResponseRedirect(with_next("two_factor_verify", target))
        return HttpResponseRedirect(with_next("two_factor_enrol", target))
