class RecordsError(Exception):
    """Base error of the records app."""


class FileRejected(RecordsError):
    """The whole file is refused (missing column, not UTF-8, not CSV): nothing is applied."""


class RowRejected(RecordsError):
    """One row is refused; the others go on."""

    def __init__(self, column: str, reason: str, value: str = ""):
        super().__init__(f"{column}: {reason}")
        self.column = column
        self.reason = reason
        self.value = value


class SyncBusy(RecordsError):
    """Another run of the same feed is in progress."""


class SyncStateError(RecordsError):
    """The run is not in a state that allows this (e.g. approving a run that is not held)."""
