"""What a resident's uploaded file is, judged from its first bytes, never from its name or the
type the browser claims: a "scan.pdf" that is really a PNG is a PNG, and a program renamed
"scan.pdf" is none of the accepted types. Shared by every app that takes proof from residents
(parking's evidence, records' data-quality reports), so they accept and refuse the same files."""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str  # of the stored file and the name it downloads under


PDF = FileType("application/pdf", "pdf")
JPEG = FileType("image/jpeg", "jpg")
PNG = FileType("image/png", "png")

# Each accepted type's signature: the bytes every file of that type starts with.
_SIGNATURES = (
    (b"%PDF-", PDF),
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
)
HEAD_BYTES = max(len(signature) for signature, _ in _SIGNATURES)
BY_CONTENT_TYPE = {file_type.content_type: file_type for _, file_type in _SIGNATURES}


def detect_type(head: bytes) -> FileType | None:
    """The accepted type a file's first bytes show it to be, or None."""
    for signature, file_type in _SIGNATURES:
        if head.startswith(signature):
            return file_type
    return None


def upload_type(upload) -> FileType | None:
    """detect_type of an uploaded file, which is left at its start."""
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return detect_type(head)


def size_label(size: int) -> str:
    """10485760 → "10 MB", 2048 → "2 KB", 1500 → "1.5 KB": how the pages write a size."""
    for unit, label in ((1024 * 1024, "MB"), (1024, "KB")):
        if size >= unit:
            return f"{size / unit:.1f}".removesuffix(".0") + f" {label}"
    return f"{size} bytes"


def display_name(name: str | None) -> str:
    """The file's own name, for display: no folders, no control characters, at most 255."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if len(base) > 255:
        stem, ext = os.path.splitext(base)
        base = stem[: 255 - len(ext[:20])] + ext[:20]
    return base or "file"


def download_name(original_name: str, content_type: str, *, default: str = "file") -> str:
    """The resident's name for a file with the extension of what it really is."""
    stem = os.path.splitext(original_name)[0] or default
    return f"{stem}.{BY_CONTENT_TYPE[content_type].extension}"


def private_download(content, *, filename: str, content_type: str):
    """A resident's file as a download, the one way every page hands one out (staff pages audit
    before calling this)."""
    from django.http import FileResponse

    response = FileResponse(
        content, as_attachment=True, filename=filename, content_type=content_type
    )
    # The browser must take the type we detected, never guess one (a PDF that sniffs as HTML),
    # and nothing on the way may keep a copy of a resident's proof.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
