"""Data-quality cases to test with: a resident's report from an application of theirs that
went to a person, on the small borough of tests/balances/ledger.py (Zoë O'Brien, P1, at UPRN
20001)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from records import services
from records.sources import report_source
from tests.casework.cases import application_at

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
WORDS = "I have lived here since March 2019, not 2021."


def pdf(name: str = "tenancy.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def source_of(application, user=None):
    """Where a report about the application starts, as its owner (or `user`) reaches it."""
    return report_source(
        user=user or application.user, kind="application", reference=application.reference
    )


def draft(user, *, kind: str = "address", words: str = WORDS, files=(), application=None):
    application = application or application_at(20001, user=user)
    return services.data_quality_case_draft(
        user=user, source=source_of(application, user), kind=kind, words=words, files=list(files)
    )


def reported(user, **kwargs):
    case = draft(user, **kwargs)
    return services.data_quality_case_report(user=user, reference=case.reference)
