"""What each app hands out of a person's data ("Your data", issue 20): every app's
`selectors.personal_data_for(user=...)` returns its sections, built with `section` below, so
the page and the download show every app's data the same way. The gatherer is the
`personal_data` app; a test checks every table that names a user is covered by some app."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone


@dataclass(frozen=True)
class Section:
    """One kind of thing held about the person: a title, what it is, and its rows (each a
    mapping of column label to a plain value: text, number, yes/no, a date or a nested list)."""

    key: str
    title: str
    about: str
    rows: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"title": self.title, "about": self.about, "rows": plain(self.rows)}


def plain(value: Any) -> Any:
    """A value as it goes into the JSON download."""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def section(
    key: str,
    title: str,
    about: str,
    objects: Iterable,
    columns: dict[str, str | Callable[[Any], Any]],
) -> Section:
    """A section whose rows are `objects`, each read through `columns` (label -> attribute
    name, or a function of the object)."""
    rows = []
    for obj in objects:
        row = {}
        for label, read in columns.items():
            row[label] = read(obj) if callable(read) else getattr(obj, read)
        rows.append(row)
    return Section(key=key, title=title, about=about, rows=rows)


def pounds(pence: int | None) -> str | None:
    return None if pence is None else f"£{pence / 100:,.2f}"
