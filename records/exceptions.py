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


class DataQualityError(RecordsError):
    """A resident's report that the records are wrong, or a records administrator's action on
    it, cannot be done as asked. The message says why, in words a page can show."""


class DataQualityInvalid(DataQualityError):
    """An answer is missing or wrong: `field` names the form field the message belongs to."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class DataQualityStateError(DataQualityError):
    """The case is not in a state that allows this (sent already, looked at, closed)."""
