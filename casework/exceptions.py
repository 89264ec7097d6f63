class CaseworkError(Exception):
    """Base of the contact centre's errors; the message is for the member of staff."""


class NoteEmpty(CaseworkError):
    """A note with nothing in it, or too much."""
