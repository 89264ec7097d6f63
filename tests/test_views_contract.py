"""The import contract that keeps each app's views its own (`views-are-no-library` in
pyproject.toml) names views modules one by one past `*.views`: import-linter's wildcards match
whole names only, so a new `*_views` module must be added to it or other apps could import it
unchecked."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _contract(contract_id: str) -> dict:
    with (ROOT / "pyproject.toml").open("rb") as pyproject:
        contracts = tomllib.load(pyproject)["tool"]["importlinter"]["contracts"]
    return next(contract for contract in contracts if contract["id"] == contract_id)


def test_every_views_module_of_every_app_is_in_the_contract_keeping_views_out_of_other_apps():
    contract = _contract("views-are-no-library")
    listed = set(contract["forbidden_modules"])
    views_modules = [
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for app in contract["source_modules"]
        for path in (ROOT / app).rglob("*views.py")
        if "migrations" not in path.parts  # named after what they change, not modules to import
    ]
    unlisted = sorted(
        name
        for name in views_modules
        if name not in listed and not (name.count(".") == 1 and name.endswith(".views"))
    )
    assert unlisted == []
