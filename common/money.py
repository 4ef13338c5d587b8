from decimal import Decimal


def format_money(amount: Decimal | None, currency: str) -> str:
    """`EUR 105,000.00`: the code, a space, thousands separated by commas, two decimals."""
    if amount is None:
        return ""
    return f"{currency} {amount:,.2f}"
