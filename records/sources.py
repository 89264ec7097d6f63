"""Where a resident may say something in the council's records is wrong, and what that page
knew: the decision the records affected, and which records.

records imports no app that owns applications or accounts (docs/design.md), yet a report must
name only the resident's own: so each app that links to the report registers, from its
AppConfig.ready, a function that finds one of the resident's own things by its reference
through its own selectors (parking: an application that went to a person or was refused;
balances: a linked council tax account), as feeds register with the pipeline. Anything else,
including someone else's reference, finds nothing, and the report's page is a 404."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse


@dataclass(frozen=True)
class ReportSource:
    """A thing of the resident's that a report starts from, as plain values."""

    source: str  # "application:PA-7KQ3-2M9X": kept on the case
    label: str  # "Permit application PA-7KQ3-2M9X": what the pages call it
    back_url: str  # the page the resident came from
    feeds: tuple[str, ...] = ()  # the feeds whose records it relied on
    person_refs: tuple[str, ...] = ()
    uprns: tuple[int, ...] = ()
    account_refs: tuple[str, ...] = ()
    # The decisions the records affected: {"reference": ..., "outcome": ...}
    decisions: tuple[dict, ...] = field(default_factory=tuple)


# kind -> finds the resident's own thing by reference, or None.
Finder = Callable[..., ReportSource | None]
_finders: dict[str, Finder] = {}

YOUR_DATA = "your_data"


def register(kind: str, finder: Finder) -> None:
    """`finder(user=..., reference=...)` returns the resident's own thing of this kind, or None
    for a reference that is not theirs (or not one a report may start from)."""
    _finders[kind] = finder


def report_source(*, user, kind: str, reference: str = "") -> ReportSource | None:
    """Where a report starts: one of the resident's own things, or None for anything else."""
    if kind == YOUR_DATA and not reference:
        return ReportSource(
            source=YOUR_DATA, label="Your data", back_url=reverse("personal_data:home")
        )
    finder = _finders.get(kind)
    if finder is None or not reference or len(reference) > 40:
        return None
    return finder(user=user, reference=reference)
