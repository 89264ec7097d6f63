"""The resident's "Your account" page is built from sections that other apps register, so
accounts never imports them (dependencies point towards accounts, not away from it).

An app registers in its AppConfig.ready():

    home.register_section(title="Parking permits", template="parking/_home.html",
                          context=lambda user: {"permits": ...}, order=10)
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class HomeSection:
    title: str
    template: str
    context: Callable[[object], dict]
    order: int = 100


_sections: list[HomeSection] = []


def register_section(
    *, title: str, template: str, context: Callable[[object], dict], order: int = 100
) -> None:
    if any(s.title == title for s in _sections):
        return  # ready() can run twice in some test set-ups
    _sections.append(HomeSection(title=title, template=template, context=context, order=order))


def sections_for(user) -> list[dict]:
    """Each section's title, template and context for this user, in order."""
    return [
        {"title": s.title, "template": s.template, "context": s.context(user)}
        for s in sorted(_sections, key=lambda s: s.order)
    ]
