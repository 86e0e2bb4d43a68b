"""Required fields per profile, written out from the guide's matrix (the check on the transcription)."""
from __future__ import annotations

import pytest

from alphaimport.errors import ProfileError
from alphaimport.profile import Profile

ID, FLOW, PHONE, EMAIL = "IDENTIFICATION_IDENTIFIER", "CONTROL_FLOWID", "CONTACT_PHONENUMBER_x", "CONTACT_EMAIL_x"
INVOICE = ["INVOICE_NUMBER", "INVOICE_DATE", "INVOICE_DUEDATE", "INVOICE_CURRENCY", "INVOICE_AMOUNT",
           "INVOICE_DESCRIPTION", "INVOICE_REFERENCE"]
EMANDATE = ["EMANDATE_IDENTIFIER", "EMANDATE_PURCHASEID", "EMANDATE_REASON", "EMANDATE_DEBTORID",
            "EMANDATE_VISIBLEUNTIL"]
ADDRESS = ["ADDRESS_STREET", "ADDRESS_HOUSENUMBER", "ADDRESS_EXTENSION", "ADDRESS_ZIPCODE", "ADDRESS_CITY",
           "ADDRESS_COUNTRY"]

# The "yes" cells of each column of the guide's matrix.
EXPECTED = {
    ("voice",): {ID, PHONE, FLOW},
    ("sms",): {ID, PHONE, FLOW},
    ("mail",): {ID, EMAIL, FLOW},
    ("paylink",): {ID, "PERSON_FAMILYNAME", *INVOICE, FLOW},
    ("emandate",): {ID, "PERSON_FAMILYNAME", "PERSON_GENDER", *EMANDATE, FLOW},
    ("enrichment",): {ID, "PERSON_FAMILYNAME", "PERSON_GIVENNAME", "PERSON_BIRTHDAY", *ADDRESS,
                      "SERVICES_ENRICHMENT"},
    ("sms", "paylink"): {ID, "PERSON_FAMILYNAME", PHONE, *INVOICE, FLOW},
    ("mail", "paylink"): {ID, "PERSON_FAMILYNAME", EMAIL, *INVOICE, FLOW},
    ("voice", "emandate"): {ID, "PERSON_FAMILYNAME", "PERSON_GENDER", PHONE, *EMANDATE, FLOW},
    ("sms", "mail", "enrichment"): {ID, "PERSON_FAMILYNAME", "PERSON_GIVENNAME", "PERSON_BIRTHDAY", PHONE,
                                    EMAIL, *ADDRESS, FLOW, "SERVICES_ENRICHMENT"},
    ("voice", "sms", "mail", "paylink", "emandate", "enrichment"): {
        ID, "PERSON_FAMILYNAME", "PERSON_GIVENNAME", "PERSON_GENDER", "PERSON_BIRTHDAY", *ADDRESS, PHONE, EMAIL,
        *INVOICE, *EMANDATE, FLOW, "SERVICES_ENRICHMENT"},
}
MEDIA = {"voice", "sms", "mail"}


def _profile(names: tuple[str, ...]) -> Profile:
    return Profile(media=[n for n in names if n in MEDIA], services=[n for n in names if n not in MEDIA])


@pytest.mark.parametrize("names", list(EXPECTED), ids="+".join)
def test_required_fields_are_the_union_of_the_matrix_columns(names: tuple[str, ...]) -> None:
    assert {r.template for r in _profile(names).requirements()} == EXPECTED[names]


def test_enrichment_alone_leaves_flowid_optional() -> None:
    profile = Profile(services={"enrichment"})
    assert profile.required_by("CONTROL_FLOWID") == ()
    assert profile.required_by("SERVICES_ENRICHMENT") == ("enrichment",)


def test_required_by_names_every_source() -> None:
    profile = Profile(media={"sms"}, services={"paylink"})
    assert profile.required_by("IDENTIFICATION_IDENTIFIER") == ("sms", "paylink")
    assert profile.required_by("CONTACT_PHONENUMBER_2") == ("sms",)
    phone = next(r for r in profile.requirements() if r.template == PHONE)
    assert phone.columns == ("CONTACT_PHONENUMBER_1", "CONTACT_PHONENUMBER_2", "CONTACT_PHONENUMBER_3")


def test_names_accept_strings_and_any_case() -> None:
    assert Profile("SMS, voice", " PayLink").names == ("voice", "sms", "paylink")


@pytest.mark.parametrize("media, services, message", [
    ((), (), r"at least one medium \(voice, sms, mail\) or service \(paylink, emandate, enrichment\)"),
    (("fax",), (), r"unknown medium fax; valid: voice, sms, mail"),
    (("sms",), ("ideal",), r"unknown service ideal; valid: paylink, emandate, enrichment"),
    (("paylink",), (), r"unknown medium paylink; valid: voice, sms, mail"),
])
def test_bad_profiles_list_the_valid_names(media: tuple, services: tuple, message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        Profile(media, services)
