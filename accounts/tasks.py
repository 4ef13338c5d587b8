from celery import shared_task
from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=30, time_limit=60)
def send_password_reset(email: str, domain: str, use_https: bool, language: str) -> None:
    """Looks the address up and sends the link to each of its active accounts (none: nothing is sent).

    Run by the worker, so that the page answers as fast for an address with an account as without.
    """
    form = PasswordResetForm(data={"email": email})
    if form.is_valid():
        with translation.override(language):
            form.save(domain_override=domain, use_https=use_https)
