from decimal import Decimal

from django.utils.translation import get_language

# Written as a symbol after the amount in Russian; any other currency by its ISO 4217 code.
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$"}
NBSP = "\N{NO-BREAK SPACE}"  # Russian groups thousands with it, as Django's ru formats do
_RUSSIAN_DIGITS = str.maketrans({",": NBSP, ".": ","})


def format_money(amount: Decimal | None, currency: str) -> str:
    """An amount in the active language's way of writing money, with two decimals.

    English: `EUR 105,000.00` (the code, a space, thousands separated by commas). Russian:
    `105 000,00 €` (thousands separated by no-break spaces, a decimal comma, then the symbol
    for EUR and USD, else the code: `105 000,00 BYN`), with a no-break space before the
    currency so that it stays on the amount's line.
    """
    if amount is None:
        return ""
    if (get_language() or "").split("-")[0] == "ru":
        number = f"{amount:,.2f}".translate(_RUSSIAN_DIGITS)
        return f"{number}{NBSP}{CURRENCY_SYMBOLS.get(currency, currency)}"
    return f"{currency} {amount:,.2f}"
