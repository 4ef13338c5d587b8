import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .context_processors import bump_roles_version
from .models import Membership

logger = logging.getLogger("mpf.security")


@receiver(user_login_failed)
def log_refused_login(sender, credentials, request=None, **kwargs):
    address = request.META.get("REMOTE_ADDR", "?") if request is not None else "?"
    logger.warning("Refused login for username %r from %s", credentials.get("username", ""), address)


# The navigation's cached answers (context_processors) are worked out again after any change of role.
post_save.connect(bump_roles_version, sender=Membership, dispatch_uid="projects-nav-membership-save")
post_delete.connect(bump_roles_version, sender=Membership, dispatch_uid="projects-nav-membership-delete")
m2m_changed.connect(bump_roles_version, sender=get_user_model().groups.through, dispatch_uid="projects-nav-groups")
