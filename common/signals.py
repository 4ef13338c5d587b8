from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .languages import supported_language, use_language
from .models import UserPreferences


@receiver(user_logged_in, dispatch_uid="common.apply_saved_language")
def apply_saved_language(sender, request, user, **kwargs):
    """At login, the user's saved language (if any) becomes this browser's language."""
    if request is None:
        return
    saved = UserPreferences.objects.filter(user=user).values_list("language", flat=True).first()
    language = supported_language(saved)
    if language:
        use_language(request, language)
