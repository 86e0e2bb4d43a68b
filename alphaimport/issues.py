"""Issues as data: every finding is one row (row, field, value, code, level, message).

All codes live in :data:`CODES`; a code is never renamed. The README's table is generated from it
(``alphaimport codes --format markdown``).
"""
from __future__ import annotations

from dataclasses import astuple, dataclass
from typing import Iterable

import pandas as pd

ERROR, WARNING, INFO = "error", "warning", "info"
LEVELS = (ERROR, WARNING, INFO)
COLUMNS = ("row", "field", "value", "code", "level", "message")
ACCEPTED, REJECTED = "accepted", "rejected"


@dataclass(frozen=True)
class Code:
    """A stable issue code with its level and what it means."""

    code: str
    level: str
    meaning: str


CODES: dict[str, Code] = {c.code: c for c in (
    # reading and mapping
    Code("unknown-column", WARNING, "A header that maps to no field; its values are not delivered."),
    Code("duplicate-column", ERROR, "Two input columns map to the same field."),
    # values
    Code("normalised", INFO, "A value was rewritten to the platform's format (old -> new)."),
    Code("required", ERROR, "A field the profile requires is missing or empty."),
    Code("too-long", ERROR, "A value longer than the field's maximum length."),
    Code("invalid-text", ERROR, "Text with characters that cannot be delivered (NUL, control characters)."),
    Code("invalid-phone", ERROR, "Not a valid phone number (phonenumbers.is_valid_number)."),
    Code("phone-not-mobile", WARNING, "The profile sends SMS, but the number is not a mobile number."),
    Code("phone-country-not-allowed", ERROR, "The number's country is not in the allowed countries."),
    Code("phone-leading-zero-restored", WARNING,
         "Digits that are not a valid international number were read as a national number whose leading 0 was lost."),
    Code("invalid-email", ERROR, "Not a syntactically valid e-mail address."),
    Code("invalid-date", ERROR, "Not a date, or an impossible date (2027-02-30)."),
    Code("invalid-amount", ERROR, "Not an amount."),
    Code("negative-amount", ERROR, "A negative amount."),
    Code("too-many-decimals", ERROR, "An amount with more than two decimals."),
    Code("ambiguous-amount", ERROR, "An amount whose separators can be read two ways (1.234)."),
    Code("mixed-amount-units", ERROR,
         "A whole number in an amount column that also holds decimal amounts: cents or euros? Say so in the mapping's units."),
    Code("invalid-integer", ERROR, "Not a whole number."),
    Code("invalid-boolean", ERROR, "Not a yes/no value (0/1, ja/nee, yes/no, true/false)."),
    Code("invalid-gender", ERROR, "Not a gender (M, F, U)."),
    Code("invalid-country", ERROR, "Not an ISO 3166-1 alpha-2 country."),
    Code("invalid-currency", ERROR, "Not an ISO 4217 currency."),
    # records
    Code("duplicate-identifier", ERROR, "Two records share an IDENTIFICATION_IDENTIFIER; the platform keeps only the last."),
    Code("identifier-delivered-before", WARNING,
         "The identifier was delivered before: the platform updates the earlier job."),
    Code("date-not-in-future", ERROR, "A due date that is today or in the past."),
    Code("term-exceeds-total", ERROR, "INVOICE_ARRANGEMENT_TERM is greater than INVOICE_ARRANGEMENT_TOTALTERMS."),
)}


@dataclass(frozen=True)
class Issue:
    """One finding: where (row, field), what (value), which rule (code, level) and why (message)."""

    row: int | None
    field: str
    value: str
    code: str
    level: str
    message: str

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown issue code {self.code!r}")


def issue(row: int | None, field: str, value: str, code: str, message: str) -> Issue:
    """An Issue with the level its code defines."""
    return Issue(row, field, value, code, CODES[code].level, message)


def frame(issues: Iterable[Issue]) -> pd.DataFrame:
    """The issues as a DataFrame with the columns row, field, value, code, level, message."""
    rows = [astuple(i) for i in issues]
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    table["row"] = table["row"].astype("Int64")
    return table


def codes_markdown() -> str:
    """The table of issue codes for the README."""
    lines = ["| code | level | meaning |", "|---|---|---|"]
    lines += [f"| `{c.code}` | {c.level} | {c.meaning} |" for c in CODES.values()]
    return "\n".join(lines) + "\n"
