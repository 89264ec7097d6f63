"""A request for a person's data that arrives by post: a records administrator makes the same
download a resident would, for every portal account the records matched to the person, from the
person's case. Audited with the reason, like every look at a case."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.utils import timezone

from casework.audit import Action, audit_record
from hackney_portal.forms import NoBrowserMaxLength
from parking.selectors import users_matched_to_person

from .exports import export_write_for_person, zip_response
from .permissions import PERSONAL_DATA_EXPORT


class ExportReasonForm(NoBrowserMaxLength, forms.Form):
    reason = forms.CharField(
        label="Why are you making this export?",
        help_text="For example, the reference of the letter asking for it.",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter why you are making this export",
            "max_length": "The reason must be 500 characters or fewer",
        },
    )


@login_required
@permission_required(PERSONAL_DATA_EXPORT, raise_exception=True)
def person_export(request, person_ref: str):
    users = users_matched_to_person(person_ref=person_ref)
    form = ExportReasonForm(request.POST or None)
    if request.method == "POST" and users and form.is_valid():
        audit_record(
            request=request,
            action=Action.PERSONAL_DATA_EXPORT,
            reason=form.cleaned_data["reason"],
            person_ref=person_ref,
            detail={"accounts": len(users)},
        )
        return zip_response(
            lambda into: export_write_for_person(users=users, into=into),
            filename=f"portal-data-{person_ref}-{timezone.localdate():%Y-%m-%d}.zip",
        )
    return render(
        request,
        "personal_data/person_export.html",
        {"form": form, "person_ref": person_ref, "accounts": len(users)},
    )
