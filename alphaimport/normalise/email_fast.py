"""E-mail addresses column-wise: plain addresses checked with one conservative pattern, the rest per value.

``normalise_emails(values)`` gives, for every value, exactly what ``email.normalise_email`` gives. The
fast path takes ``local@domain.tld`` (an optional ``mailto:`` and white space around it) where the local
part is a dot-atom of ASCII and Latin letters (``zoë.müller``) and the domain is two or more ASCII
letter-digit-hyphen labels (no ``--``, so no ``xn--``) under an alphabetic top-level domain that is not a
special-use name, no label longer than 63 characters and the address at most 254 bytes: a strict subset
of what ``email_validator`` accepts, and for it the validator's result is the address with its domain in
lower case (and an ASCII role mailbox such as ``Info`` in lower case, RFC 2142). Everything else, every
invalid value included, goes to ``normalise_email``, so its messages stay the validator's own.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES, EMAIL_MAX_LENGTH

from alphaimport.normalise import strings
from alphaimport.normalise.base import WHITESPACE
from alphaimport.normalise.batch import Batch, BatchNormaliser, per_value
from alphaimport.normalise.email import normalise_email

_ATEXT = r"A-Za-z0-9!#$%&'*+/=?^_`{|}~\-"  # email_validator's ATEXT (the hyphen escaped: it ends no range)
# Latin letters with diacritics (U+00C0-U+024F but for the signs × and ÷): each a precomposed letter (Unicode
# category L) that NFC leaves alone, so email_validator accepts them in a dot-atom and returns them as written.
_LATIN = "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
_LABEL = r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*"
_ADDRESS = rf"[{_ATEXT}{_LATIN}]+(?:\.[{_ATEXT}{_LATIN}]+)*@(?:{_LABEL}\.)+[A-Za-z]+"
_LONG_LABEL = r"[^.@]{64}"  # a domain label (or a local-part run) over DNS's 63 characters
_SPECIAL_USE = r"\.(?i:arpa|invalid|local|localhost|onion|test)$"  # email_validator.SPECIAL_USE_DOMAIN_NAMES
_MAILTO = "^[Mm][Aa][Ii][Ll][Tt][Oo]:"  # email._MAILTO, ASCII letters only


def make() -> BatchNormaliser:
    """Return the batch counterpart of ``email.make()``."""
    return normalise_emails


def normalise_emails(values: np.ndarray) -> Batch:
    """Return what ``normalise_email(value)`` gives, for each value."""
    values = np.asarray(values, dtype=object)
    batch = Batch.empty(len(values))
    done = _fast(values, batch)
    return per_value(values, normalise_email, np.flatnonzero(~done), batch)


def covered(values: np.ndarray) -> np.ndarray:
    """Return where the fast path itself decides (the rest goes to ``normalise_email``); for tests and benchmarks."""
    return _fast(np.asarray(values, dtype=object), Batch.empty(len(values)))


def _fast(values: np.ndarray, batch: Batch) -> np.ndarray:
    """Fill ``batch`` for the plain addresses; return where it did."""
    done = np.zeros(len(values), dtype=bool)
    array, usable = strings.to_arrow(values)
    value = pc.utf8_trim(array, WHITESPACE)
    mailto = strings.prefix_match(value, _MAILTO)
    if mailto.any():  # a hyperlink copied as text: the scheme is dropped, then white space again
        value = pc.if_else(pa.array(mailto), pc.utf8_trim(pc.utf8_slice_codeunits(value, 7), WHITESPACE), value)
    plain = (usable & strings.fullmatch(value, _ADDRESS) & (strings.lengths(value) <= EMAIL_MAX_LENGTH)  # bytes
             & ~_mask(pc.match_substring_regex(value, _LONG_LABEL))
             & ~_mask(pc.match_substring_regex(value, _SPECIAL_USE)))
    at = np.flatnonzero(plain)
    if not at.size:
        return done
    parts = pc.extract_regex(value.take(pa.array(at)), r"^(?P<local>[^@]+)@(?P<domain>[^@]+)$")
    local, domain = parts.field("local"), parts.field("domain")
    lower = pc.ascii_lower(local)
    role = pc.is_in(lower, value_set=pa.array(CASE_INSENSITIVE_MAILBOX_NAMES, type=pa.string()))
    joined = pc.binary_join_element_wise(pc.if_else(role, lower, local), "@", pc.ascii_lower(domain), "")
    batch.values[at] = np.asarray(joined.to_numpy(zero_copy_only=False), dtype=object)
    done[at] = True
    return done


def _mask(result: pa.Array) -> np.ndarray:
    return np.asarray(result.to_numpy(zero_copy_only=False), dtype=bool)
