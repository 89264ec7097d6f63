"""The portal's references: `PA-XXXX-XXXX` for an application, `PP-` a permit, `PY-` a payment,
`DQ-` a report that a record is wrong. One alphabet and one maker for all of them."""

import secrets

# No look-alikes (0/O, 1/I/L, 5/S, 2/Z, 8/B): a reference is read aloud over the phone and
# typed from a letter.
REFERENCE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"


def new_reference(prefix: str) -> str:
    """`<prefix>-XXXX-XXXX` from the secrets module: about 38 bits, unguessable, not a
    database id."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{prefix}-{chars[:4]}-{chars[4:]}"
