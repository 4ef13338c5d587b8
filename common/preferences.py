from .models import UserPreferences


def wants_email(users) -> list:
    """The users among `users` who have an e-mail address and have not turned notifications off."""
    users = [user for user in users if user.email]
    opted_out = set(
        UserPreferences.objects.filter(user__in=users, email_notifications=False).values_list("user_id", flat=True)
    )
    return [user for user in users if user.pk not in opted_out]


def preferences_for(user) -> UserPreferences:
    preferences, _ = UserPreferences.objects.get_or_create(user=user)
    return preferences
