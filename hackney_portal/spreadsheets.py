"""What the portal writes into a CSV file meant for a spreadsheet: pounds as plain numbers, and
text that a spreadsheet would run as a formula written as text. Shared by every download that
is a table (a council tax statement, an analyst's scenarios)."""

# What a spreadsheet may take as the start of a formula (OWASP's list, with | for old DDE).
FORMULA_STARTS = ("=", "+", "-", "@", "|", "\t", "\r", "\n")


def plain_pounds(pence: int) -> str:
    """Plain pounds for a spreadsheet: -19525 → "-195.25"."""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}{whole}.{part:02d}"


def spreadsheet_safe(text: str) -> str:
    """Text from outside (a feed's description, a name someone typed) that a spreadsheet would
    run as a formula is written as text."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
