"""E-mail addresses: trimmed, syntax-checked with ``email_validator`` (no DNS), domain in lower case."""
from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

from alphaimport.normalise.base import EMPTY, Invalid, Normalised, Normaliser, shown, trim

# A spreadsheet hyperlink copied as text: the address is unambiguous, so the scheme is dropped.
_MAILTO = re.compile(r"(?i)mailto:")
_SURROGATE = re.compile("[\ud800-\udfff]")


def normalise_email(text: str) -> Normalised:
    """Return the address in ``text``: local part as written, domain lower-case; raise Invalid when bad."""
    value = trim(text)
    if _MAILTO.match(value):
        value = trim(value[len("mailto:"):])
    if not value:
        if text.strip():
            raise Invalid("invalid-email", f"{shown(text)} holds no e-mail address.")
        return EMPTY
    if _SURROGATE.search(value):
        raise Invalid("invalid-email", f"{shown(text)} contains a lone surrogate (not writable as UTF-8).")
    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise Invalid("invalid-email", f"{shown(text)} is not a valid e-mail address: {exc}") from None
    except (UnicodeError, ValueError) as exc:  # a library failure on odd Unicode is still a bad address
        raise Invalid("invalid-email", f"{shown(text)} is not a valid e-mail address ({exc}).") from None
    # the domain stays in the script it was written in: xn-- (ASCII) or Unicode, always lower case
    written = value.rsplit("@", 1)[-1]
    domain = checked.ascii_domain if written.isascii() and checked.ascii_domain else checked.domain
    return Normalised(f"{checked.local_part}@{domain}")


def make() -> Normaliser:
    """Return the e-mail normaliser."""
    return normalise_email
