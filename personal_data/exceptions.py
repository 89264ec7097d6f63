class ExportLinkUsed(Exception):
    """The link was used already: it works once."""


class ExportLinkExpired(Exception):
    """The link is past its last day."""
