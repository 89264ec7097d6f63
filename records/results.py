"""What one run of the pipeline found: the report of rejected rows, the outcome's counts, and
the context the pipeline's steps share (docs/feeds.md, "How a run is reported")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .contract import Feed

EXAMPLES_PER_REASON = 5


# --- The report -----------------------------------------------------------------------------


@dataclass
class Report:
    """Rejections grouped by reason, with a count and the first few examples of each."""

    reasons: dict[str, dict] = field(default_factory=dict)
    rejected: int = 0

    def reject(self, line: int, column: str, value: str, reason: str) -> None:
        self.rejected += 1
        entry = self.reasons.setdefault(reason, {"count": 0, "examples": []})
        entry["count"] += 1
        if len(entry["examples"]) < EXAMPLES_PER_REASON:
            entry["examples"].append(
                {"line": line, "column": column, "value": value[:200], "reason": reason}
            )

    def map_lines(self, lines: Callable[[set[int]], dict[int, int]]) -> None:
        """Replace the examples' record numbers with the lines they start on."""
        wanted = {e["line"] for entry in self.reasons.values() for e in entry["examples"]}
        found = lines(wanted) if wanted else {}
        for entry in self.reasons.values():
            for example in entry["examples"]:
                example["line"] = found[example["line"]]

    def as_json(self) -> dict:
        # Most frequent first; ties by the line of their first example, whichever reader ran.
        ordered = sorted(
            self.reasons.items(),
            key=lambda item: (-item[1]["count"], item[1]["examples"][0]["line"]),
        )
        return {"rejections": [{"reason": r, **entry} for r, entry in ordered]}


@dataclass
class Outcome:
    """A run's counts. inserted/updated/unchanged/vanished are of the feed's own table;
    `related` counts other tables the feed writes (the people feed's people)."""

    rows_read: int = 0
    staged: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    vanished: int = 0
    current_keys: int = 0
    warnings: list[str] = field(default_factory=list)
    report: Report = field(default_factory=Report)
    related: dict[str, int] = field(default_factory=dict)  # e.g. people written by `people`
    held_reason: str = ""
    # Keys named by rejected rows (parsed values, in `key_columns` order): their current
    # records are kept as they are. `kept` counts those that would otherwise have vanished.
    listed_keys: list[tuple] = field(default_factory=list)
    kept: int = 0
    kept_examples: list[str] = field(default_factory=list)
    reader: str = "row by row"  # or "set-based" (PostgreSQL, records/set_based.py)


@dataclass
class SyncContext:
    feed: Feed
    run_id: int | None
    now: Any
    progress: Callable[[int, int, int], None]
    # The phases a run publishes: "reading", "checking", "applying" (SyncRun.phase).
    phase: Callable[[str], None] = lambda name: None
