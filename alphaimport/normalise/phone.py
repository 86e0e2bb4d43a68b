"""Phone numbers: parsed with ``phonenumbers``, written as E.164 digits without ``+`` (31612345678)."""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata, PhoneNumber, PhoneNumberType, ValidationResult

from alphaimport.normalise.base import EMPTY, Invalid, Normalised, Normaliser, shown, trim

# The guide: "A phone number can have a + or – sign, spaces are also allowed. It cannot have other
# alphanumeric signs." Accepted besides: dots, slashes and parentheses, as people write them.
_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2212"
_SEPARATORS = f"[ \u00a0\u202f{_DASHES}./()]"
_SHAPE = re.compile(f"\\+?{_SEPARATORS}*[0-9](?:[0-9]|{_SEPARATORS})*")
_EXTENSION = re.compile(r"(?i)[0-9)]\s*(?:ext\.?|extension|toestel|tst\.?|x|#)\s*[0-9]{1,5}\s*$")
_NON_DIGITS = re.compile(r"[^0-9]")
_MOBILE = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
_PARSE_ERRORS = {
    NumberParseException.INVALID_COUNTRY_CODE: "it has no valid country code",
    NumberParseException.NOT_A_NUMBER: "it is too short",
    NumberParseException.TOO_SHORT_AFTER_IDD: "it is too short after the international prefix",
    NumberParseException.TOO_SHORT_NSN: "it is too short",
    NumberParseException.TOO_LONG: "it is too long",
}
_REASONS = {
    ValidationResult.TOO_SHORT: "too short",
    ValidationResult.TOO_LONG: "too long",
    ValidationResult.INVALID_LENGTH: "of a length no number",
    ValidationResult.INVALID_COUNTRY_CODE: "without a valid country code",
}


def normalise_number(text: str, region: str = "NL", mobile_expected: bool = False,
                     allowed_countries: frozenset[str] | None = None) -> Normalised:
    """Return the E.164 digits of ``text`` (no ``+``), with warnings; raise Invalid when it is no number."""
    value = trim(text)
    if not value:
        return EMPTY
    digits, international = _digits(value)
    warnings: list[tuple[str, str]] = []
    if international:
        number = _parse("+" + digits, region)
    elif digits.startswith("0"):  # national (0612345678) or via the international prefix (0031...)
        number = _parse(digits, region)
    else:  # E.164 as the guide writes it (31612345678); else a national number that lost its 0
        number = _parse("+" + digits, region)
        prefix = PhoneMetadata.metadata_for_region(region).national_prefix
        if not _valid(number) and prefix:
            national = _parse(prefix + digits, region)
            if _valid(national):
                number = national
                warnings.append(("phone-leading-zero-restored",
                                 f"{shown(value)} is no valid international number; it was read as the "
                                 f"{region} number {prefix}{digits}, whose leading {prefix} a spreadsheet "
                                 "probably dropped."))
    if not _valid(number):
        raise Invalid("invalid-phone", f"{shown(value)} is not a valid phone number: {_why(number)}.")
    assert isinstance(number, PhoneNumber)
    country = phonenumbers.region_code_for_number(number)
    if allowed_countries is not None and country not in allowed_countries:
        raise Invalid("phone-country-not-allowed",
                      f"{shown(value)} is a {country} number (+{number.country_code}); the allowed countries are "
                      f"{', '.join(sorted(allowed_countries)) or 'none'}.")
    if mobile_expected and phonenumbers.number_type(number) not in _MOBILE:
        warnings.append(("phone-not-mobile", f"{shown(value)} is not a mobile number, so it cannot receive SMS."))
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Normalised(e164[1:], tuple(warnings))


def _digits(value: str) -> tuple[str, bool]:
    """Return (the digits of ``value``, whether it is written internationally); raise Invalid for bad shapes."""
    if _EXTENSION.search(value):
        raise Invalid("invalid-phone", f"{shown(value)} has an extension; the platform dials only whole "
                                       "numbers, so deliver the number without it.")
    if not _SHAPE.fullmatch(value):
        if not any("0" <= c <= "9" for c in value):
            why = "it contains no digits 0-9"
        elif any(c.isalpha() for c in value):
            why = "it contains letters"
        else:
            why = "it contains characters other than digits, spaces, hyphens, dots, slashes, parentheses and a leading +"
        raise Invalid("invalid-phone", f"{shown(value)} is not a phone number: {why}.")
    international = value.startswith("+")
    if international or value.startswith("00"):
        value = value.replace("(0)", "", 1)  # +31 (0)6 ...: the trunk 0 written for national callers
    return _NON_DIGITS.sub("", value), international


def _parse(candidate: str, region: str) -> PhoneNumber | NumberParseException:
    try:
        return phonenumbers.parse(candidate, region)
    except NumberParseException as exc:
        return exc


def _valid(number: PhoneNumber | NumberParseException) -> bool:
    return isinstance(number, PhoneNumber) and phonenumbers.is_valid_number(number)


def _why(number: PhoneNumber | NumberParseException) -> str:
    if isinstance(number, NumberParseException):
        return _PARSE_ERRORS.get(number.error_type, "it cannot be read as one")
    country = phonenumbers.region_code_for_country_code(number.country_code)
    if country == phonenumbers.UNKNOWN_REGION:
        return f"+{number.country_code} is not a country code"
    reason = _REASONS.get(phonenumbers.is_possible_number_with_reason(number))
    if reason:
        return f"it is {reason} for a number in {country} (+{number.country_code})"
    national = phonenumbers.national_significant_number(number)
    return f"its {len(national)} digits after +{number.country_code} are no valid number in {country}"


@lru_cache(maxsize=None)
def why_not_valid(country_code: int, digits: int) -> str:
    """Return why a number that parses with ``country_code`` and ``digits`` national significant digits
    (of which it is no valid number) is invalid, as in normalise_number's message; the reason reads
    only these two (is_possible_number_with_reason tests the length in the code's main region)."""
    return _why(PhoneNumber(country_code=country_code, national_number=int("1" * digits)))


def options(region: str = "NL", mobile_expected: bool = False,
            allowed_countries: Iterable[str] | None = None) -> tuple[str, bool, frozenset[str] | None]:
    """Return make()'s options as normalise_number takes them: region upper case and known, countries a set."""
    region = region.upper()
    if PhoneMetadata.metadata_for_region(region) is None:
        raise ValueError(f"unknown phone region {region!r}; use an ISO 3166-1 alpha-2 code such as NL")
    allowed = None if allowed_countries is None else frozenset(c.upper() for c in allowed_countries)
    return region, mobile_expected, allowed


def make(region: str = "NL", mobile_expected: bool = False,
         allowed_countries: Iterable[str] | None = None) -> Normaliser:
    """Return a phone normaliser for ``region`` (numbers without a country code), as E.164 digits."""
    region, mobile_expected, allowed = options(region, mobile_expected, allowed_countries)

    def normalise(text: str) -> Normalised:
        """Return the number in ``text`` as E.164 digits without +."""
        return normalise_number(text, region, mobile_expected, allowed)

    return normalise
