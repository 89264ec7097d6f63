"""Your data: everything the portal holds about the signed-in resident, on one page and as one
download. Only ever the signed-in resident's own: every provider reads by `user`."""

from __future__ import annotations

import json
from datetime import date, datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hackney_portal.templatetags.portal import clock_time, long_date

from .gather import personal_data


@login_required
def your_data(request):
    sections = personal_data(user=request.user)
    return render(
        request,
        "personal_data/your_data.html",
        {"sections": [(section, [_shown(row) for row in section.rows]) for section in sections]},
    )


@login_required
def download(request):
    today = timezone.localdate()
    body = {
        "about": "Everything the Hackney resident portal holds about you",
        "made": timezone.localtime().isoformat(timespec="seconds"),
        "sections": {s.key: s.as_json() for s in personal_data(user=request.user)},
    }
    response = HttpResponse(
        json.dumps(body, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="your-data-{today:%Y-%m-%d}.json"'
    # Nothing on the way may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response


def _shown(row: dict) -> list[tuple[str, list[str]]]:
    """A row as label -> lines of text, for a summary list."""
    return [(label, _lines(value)) for label, value in row.items()]


def _lines(value) -> list[str]:
    if value is None or value == "" or value == [] or value == {}:
        return ["None"]
    if value is True:
        return ["Yes"]
    if value is False:
        return ["No"]
    if isinstance(value, datetime):
        local = timezone.localtime(value)
        return [f"{long_date(local)}, {clock_time(local)}"]
    if isinstance(value, date):
        return [long_date(value)]
    if isinstance(value, dict):
        # One line for a short record ("Check: Your address. Result: pass. ...").
        return [
            " ".join(
                _sentence(f"{key}: {'; '.join(_lines(inner))}") for key, inner in value.items()
            )
        ]
    if isinstance(value, list):
        return [line for item in value for line in _lines(item)]
    return [str(value)]


def _sentence(text: str) -> str:
    return text if text.endswith(".") else f"{text}."
