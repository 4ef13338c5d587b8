from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common.currencies import ISO_4217_CODES


def validate_currency(value: str) -> None:
    if value not in ISO_4217_CODES:
        raise ValidationError(_("%(code)s is not an ISO 4217 currency code."), params={"code": value}, code="currency")
