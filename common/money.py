import re
from dataclasses import dataclass
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


# Reading what a person types -------------------------------------------------------------------

CENT = Decimal("0.01")
DECIMAL_MARKS = {"en": ".", "ru": ","}
# Spaces of every width and apostrophes only ever group thousands, in any language.
_GROUP_SPACES = re.compile(r"[ \u00a0\u202f\u2009'’]")
_SIGNS = {"-": "-", "\N{MINUS SIGN}": "-", "+": ""}


class UnreadableAmount(ValueError):
    """The text is not an amount in any convention this reader knows."""


@dataclass(frozen=True)
class AmountReading:
    """An amount as read, and whether the text could also be read as another amount.

    `ambiguous` is true for a single comma or dot followed by exactly three digits, when that
    mark is not the language's decimal mark: "1,234" in English, "1.234" in Russian. The reading
    is then the thousands one (1234); someone used to the other convention may have meant 1.234,
    so the amount is shown to them before it is saved.
    """

    amount: Decimal
    ambiguous: bool = False


def decimal_mark(language: str | None = None) -> str:
    """The active (or given) language's decimal mark: "." in English, "," in Russian."""
    return DECIMAL_MARKS.get((language or get_language() or "en").split("-")[0], ".")


def read_amount(text: str, *, mark: str | None) -> AmountReading:
    """Reads an amount typed by a person: "1 234,56", "1234,56", "1,234.56", "1.234,56", "-12".

    Spaces (also no-break and narrow no-break ones) and apostrophes group thousands; where both a
    comma and a dot appear, the last one is the decimal mark; a mark that appears more than once
    groups thousands; a single mark followed by one, two or four and more digits is the decimal
    mark. `mark` is the decimal mark of the reader's language (None when it is unknown, as in a
    file): it decides a single mark followed by three digits, which is otherwise ambiguous.
    Digits are never dropped: anything else raises UnreadableAmount. The amount may have any
    number of decimals and any sign; the caller decides what it accepts.
    """
    body = text.strip()
    sign = _SIGNS.get(body[:1])
    if sign is not None:
        body = body[1:].lstrip()
    body = _GROUP_SPACES.sub(" ", body)
    if not body or not re.fullmatch(r"[\d ,.]+", body):
        raise UnreadableAmount(text)
    integer, fraction, group, ambiguous = _split(body, mark)
    if not _grouped(integer, group) or (fraction is not None and not fraction.isdigit()):
        raise UnreadableAmount(text)
    digits = integer.replace(group or " ", "").replace(" ", "") or "0"
    amount = Decimal(f"{sign or ''}{digits}.{fraction}" if fraction is not None else f"{sign or ''}{digits}")
    return AmountReading(amount=amount, ambiguous=ambiguous)


def _split(body: str, mark: str | None) -> tuple[str, str | None, str | None, bool]:
    """(integer part, fraction or None, the thousands mark used in the integer part, ambiguous)."""
    marks = [character for character in body if character in ",."]
    if not marks:
        return body, None, None, False
    last = marks[-1]
    if len(set(marks)) == 2:  # 1.234,56 or 1,234.56: the last mark is the decimal one
        other = "," if last == "." else "."
        head, _, tail = body.rpartition(last)
        return head, tail, other, False
    if len(marks) > 1:  # 1,234,567: a mark used more than once groups thousands
        return body, None, last, False
    head, _, tail = body.partition(last)
    if len(tail) == 3 and tail.isdigit() and re.fullmatch(r"[1-9]\d{0,2}", head) and last != mark:
        # 1,234: a thousands mark in English; in a decimal-comma language it would be 1.234.
        return body, None, last, True
    return head, tail, None, False


def _grouped(integer: str, group: str | None) -> bool:
    """Digits, or digits in thousands groups separated by spaces or by `group`, never both."""
    if integer == "":
        return True
    for separator in (" ", group):
        if separator and separator in integer:
            others = integer.replace(separator, "")
            return others.isdigit() and bool(re.fullmatch(rf"\d{{1,3}}({re.escape(separator)}\d{{3}})*", integer))
    return integer.isdigit()


def format_amount(amount: Decimal, *, language: str | None = None) -> str:
    """An amount with two decimals, grouped as the language writes it, without a currency:
    `1,234.56` in English, `1 234,56` in Russian (no-break spaces). It reads back unambiguously."""
    number = f"{amount:,.2f}"
    if decimal_mark(language) == ",":
        return number.translate(_RUSSIAN_DIGITS)
    return number
