"""Every Markdown file the code and docs name is in the repository: a CI clone has nothing else."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Where the repository's own text names other documents.
SOURCES = [
    ROOT / "README.md",
    ROOT / "pyproject.toml",
    *sorted((ROOT / "docs").rglob("*.md")),
    *sorted(
        path
        for app in ("hackney_portal", "accounts", "records", "parking", "balances", "casework",
                    "notifications", "insights", "bench")
        for path in (ROOT / app).rglob("*.py")
    ),
]  # fmt: skip
MENTION = re.compile(r"[\w./-]*\w\.md\b")


def _found(name: str, source: Path) -> bool:
    # A path relative to the repository, to the naming file, or a bare name under docs/.
    return any((base / name).is_file() for base in (ROOT, source.parent, ROOT / "docs"))


def test_every_markdown_file_named_in_the_repository_is_in_it():
    missing = sorted(
        f"{source.relative_to(ROOT)}: {name}"
        for source in SOURCES
        for name in set(MENTION.findall(source.read_text(encoding="utf-8")))
        if not _found(name, source)
    )
    assert missing == []
