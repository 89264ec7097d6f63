"""Browser helpers: viewports, screenshots and the axe-core accessibility check."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1280, "height": 800}
NARROWEST = {"width": 320, "height": 640}


def use_phone(page):
    page.set_viewport_size(PHONE)


def use_desktop(page):
    page.set_viewport_size(DESKTOP)


def use_narrowest(page):
    page.set_viewport_size(NARROWEST)


def screenshot(page, name: str) -> Path:
    """Full-page PNG under test-artifacts/screenshots, for people to look at."""
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_accessible(page, *, context: str = "", also: tuple[str, ...] = ()):
    """Run axe-core on the page as it is now and fail on any WCAG 2.2 A/AA violation, and on
    any violation of the further rules named in `also` (best-practice rules such as "region")."""
    # evaluate() runs over the DevTools protocol, so the page's CSP does not block axe.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        """async ([tags, also]) => await axe.run(document, {
            runOnly: {type: 'tag', values: tags},
            rules: Object.fromEntries(also.map((id) => [id, {enabled: true}])),
        })""",
        [AXE_TAGS, list(also)],
    )
    violations = result["violations"]
    if violations:
        lines = [f"axe found {len(violations)} WCAG violation(s) on {page.url} {context}:"]
        for v in violations:
            targets = ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
            lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({targets})")
        raise AssertionError("\n".join(lines))


def assert_fits_width(page):
    """Nothing scrolls sideways: the page is usable at the current width."""
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def fill_sign_in(page, email: str, password: str):
    """Fill in and send the sign-in form on the current page, as a person would."""
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
