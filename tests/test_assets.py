"""The built stylesheet is self-contained: Hackney's design system, fonts served by us."""

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

BUILD = Path(__file__).resolve().parent.parent / "static" / "build"


@pytest.mark.embedded
def test_stylesheet_is_built_and_found_by_staticfiles():
    assert finders.find("css/portal.css"), "run `make assets`"
    css = (BUILD / "css" / "portal.css").read_text(encoding="utf-8")
    assert ".lbh-header" in css
    assert "googleapis" not in css


def test_every_file_the_stylesheet_refers_to_exists():
    import re

    css = (BUILD / "css" / "portal.css").read_text(encoding="utf-8")
    urls = set(re.findall(r"url\(\s*[\"']?([^\"')]+)", css))
    local = {u for u in urls if not u.startswith("data:")}
    assert any("open-sans-latin-400-normal.woff2" in u for u in local)
    missing = [u for u in local if not (BUILD / "css" / u.split("?")[0]).resolve().exists()]
    assert missing == []
