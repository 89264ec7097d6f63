"""docs/security.md is evidence: every test it names exists, every check the scanners are told to
skip is explained there, bandit reads every package of ours, and what bandit leaves to ruff ruff
still checks."""

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
# `tests/test_sessions.py::test_signing_out_ends_the_session_on_the_server`, or a whole file.
CITED = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?`")
NOSEC = re.compile(r"#\s*nosec\b:?\s*([^#]*)")


def makefile_variable(name: str) -> list[str]:
    return re.search(rf"^{name} :=(.*)$", MAKEFILE, re.MULTILINE)[1].split()


def defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }


def explained(check: str) -> bool:
    """A cell of one of the page's tables holds the check's id, alone."""
    return f"| {check} |" in DOC


def test_every_test_the_page_names_exists():
    cited = set(CITED.findall(DOC))
    assert len(cited) > 100  # the pattern still finds them
    missing = sorted(
        f"{file}::{name}" if name else file
        for file, name in cited
        if not (ROOT / file).is_file() or (name and name not in defined_tests(ROOT / file))
    )
    assert missing == []


def test_bandit_reads_every_package_of_ours():
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")} - {"tests"}
    wanted = packages | set(PYPROJECT["tool"]["importlinter"]["root_packages"]) | {"bench"}
    assert sorted(wanted - set(makefile_variable("BANDIT_TARGETS"))) == []


def test_every_check_bandit_skips_is_explained():
    skipped = PYPROJECT["tool"]["bandit"]["skips"]
    assert [check for check in skipped if not explained(check)] == []


def test_what_bandit_skips_ruff_still_checks():
    lint = PYPROJECT["tool"]["ruff"]["lint"]
    # Importing subprocess: ruff's twin (S404) is a preview rule; the calls are S603 and S607.
    twins = {"S" + check[1:] for check in PYPROJECT["tool"]["bandit"]["skips"]} - {"S404"}
    assert "S" in lint["select"]
    assert sorted(twins & set(lint["ignore"])) == []


def test_every_nosec_names_its_check_and_is_explained():
    lines = [
        (path.relative_to(ROOT), number, match[1].split())
        for target in makefile_variable("BANDIT_TARGETS")
        for path in ([ROOT / target] if target.endswith(".py") else (ROOT / target).rglob("*.py"))
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if (match := NOSEC.search(line))
    ]
    assert lines  # the pattern still finds them
    unnamed = [f"{path}:{number}" for path, number, ids in lines if not ids]
    unexplained = sorted({i for *_, ids in lines for i in ids if not explained(i)})
    assert (unnamed, unexplained) == ([], [])


def test_every_advisory_pip_audit_is_told_to_ignore_is_explained():
    assert [i for i in makefile_variable("PIP_AUDIT_IGNORE") if i not in DOC] == []
