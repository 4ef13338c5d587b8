from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import signals  # noqa: F401 - connects the receivers


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin, whose `admin.site` lets in only sessions verified with a second factor."""

    default = False  # "accounts" itself stays AccountsConfig
    default_site = "accounts.admin_site.PortalAdminSite"
