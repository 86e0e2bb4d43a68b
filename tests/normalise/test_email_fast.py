"""The column-wise e-mail path gives exactly what normalise_email gives, value by value.

Proof by comparison: a seeded realistic set of 200,000 addresses (names, role mailboxes, capitals,
mailto:, white space, international and invalid addresses) and a hypothesis property over address-like
strings. Zero differences in value, code and message.
"""
from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alphaimport.normalise import email_fast
from alphaimport.normalise import batch
from alphaimport.normalise.email import normalise_email

FIRST = ["jan", "Piet", "kees", "Anna", "sanne", "Bram", "o'neill", "marie-claire", "J", "fenna"]
ODD_FIRST = ["Zoë", "Ömer", "info", "Info", "SALES", "postmaster", "WebMaster", "noc", "abuse", "news", "www"]
LAST = ["jansen", "de.vries", "van-dijk", "Bakker", "o'brien", "smit", "x", "T", "vandenberg", "deJong"]
ODD_LAST = ["müller", "El Amrani", "çelik", "van 't hof"]
DOMAINS = ["gmail.com", "hotmail.com", "outlook.com", "live.nl", "ziggo.nl", "kpnmail.nl", "xs4all.nl", "web.de",
           "telenet.be", "bouwbedrijf-jansen.nl", "Zorggroep.NL", "mail.co.uk", "sub.domain.example", "a.io",
           "münchen.de", "xn--mnchen-3ya.de", "bedrijf.local", "test.test", "localhost", "bedrijf", "1.2.3.4",
           "exa_mple.com", "-bedrijf.nl", "bedrijf-.nl", "ab--cd.nl", "bedrijf.123", "b.c", "mail.onion"]
BAD = ["", "  ", "-", "geen", "n.v.t.", "onbekend@", "info@bedrijf", "@gmail.com", "jan@@gmail.com", "jan@gmail..com",
       "jan.@gmail.com", ".jan@gmail.com", "jan..jansen@gmail.com", "jan jansen@gmail.com", '"jan jansen"@gmail.com',
       "Jan <jan@gmail.com>", "jan@gmail.com; piet@gmail.com", "jan@gmail.com.", "jan@[127.0.0.1]", "mailto:",
       "MAILTO: ", "jan\u200b@gmail.com", "jan@gmail.com\u00a0", "ｊａｎ@gmail.com", "jan@ｇｍａｉｌ.com", "jan＠gmail.com",
       "jan@" + "a" * 64 + ".com", "j" * 65 + "@gmail.com", "jan@" + ("a" * 60 + ".") * 5 + "com"]


def realistic(count: int, seed: int) -> list[str]:
    """Return ``count`` e-mail cells as ERP exports hold them (seeded): mostly plain, some odd, some invalid."""
    r = random.Random(seed)
    values = []
    for _ in range(count):
        if r.random() < 0.06:
            values.append(r.choice(BAD))
            continue
        first = r.choice(ODD_FIRST if r.random() < 0.08 else FIRST)
        last = r.choice(ODD_LAST if r.random() < 0.05 else LAST)
        local = first + r.choice([".", "", "_", "-", "+"]) + last
        if r.random() < 0.6:
            local += str(r.randint(1, 9999))
        domain = r.choice(DOMAINS) if r.random() < 0.15 else r.choice(DOMAINS[:10])
        if r.random() < 0.08:
            local, domain = local.upper(), domain.upper()
        value = f"{local}@{domain}"
        value = r.choices([value, f" {value} ", f"mailto:{value}", f"MailTo: {value}", f"\t{value}\n"],
                          [90, 4, 3, 1, 2])[0]
        values.append(value)
    return values


def differences(values: list[str]) -> list[tuple]:
    return batch.differences(values, email_fast.normalise_emails, normalise_email)


def test_a_realistic_set_of_200000_values_has_no_difference() -> None:
    values = realistic(200_000, seed=20261122)
    assert differences(values) == []
    assert email_fast.covered(np.array(values, dtype=object)).mean() > 0.6  # not a vacuous comparison


_ATOM = st.text("abcXYZ09!#$%&'*+/=?^_`{|}~-äéÇ", min_size=0, max_size=8)
_LABEL = st.text("abcXYZ09-", min_size=0, max_size=8)
_ODD = st.one_of(st.characters(), st.sampled_from(list("\"() ,;:<>@[]\\.\u00a0\u00ad\x7f\u0301×÷ＡÀɏɐ\u200b")))


@st.composite
def address_like(draw: st.DrawFn) -> str:
    """An address-like string: mostly a plain address, sometimes with one odd character put anywhere."""
    local = ".".join(draw(st.lists(_ATOM, min_size=1, max_size=3)))
    labels = draw(st.lists(_LABEL, min_size=1, max_size=4))
    tld = draw(st.sampled_from(["com", "nl", "NL", "de", "c", "local", "test", "Invalid", "arpa", "onion", "123",
                                "co1", "", "xn--p1ai", "localhost"]))
    at = draw(st.sampled_from(["@", "@", "@", "@@", "", "＠"]))
    text = local + at + ".".join(labels + [tld])
    if draw(st.booleans()):
        where = draw(st.integers(0, len(text)))
        text = text[:where] + draw(_ODD) + text[where:]
    return (draw(st.sampled_from(["", " ", "mailto:", "MAILTO: ", "\t", "maIlto:"])) + text
            + draw(st.sampled_from(["", " ", ".", "\n"])))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(address_like(), st.text(max_size=20)), min_size=1, max_size=40))
def test_address_like_strings_have_no_difference(values: list[str]) -> None:
    assert differences(values) == []


def test_every_latin_letter_of_the_fast_path_is_accepted_as_written() -> None:
    """The fast path's non-ASCII letters, one by one: the validator keeps each as written (NFC-stable)."""
    letters = [chr(c) for c in range(0xC0, 0x250) if chr(c) not in "×÷"]
    values = [f"a{letter}b.{letter}@example.nl" for letter in letters]
    assert email_fast.covered(np.array(values, dtype=object)).all()
    assert differences(values) == []


@pytest.mark.parametrize(("raw", "clean"), [
    ("jan.jansen@gmail.com", "jan.jansen@gmail.com"),
    ("Jan.Jansen@Example.COM", "Jan.Jansen@example.com"),
    (" mailto:jan@example.com ", "jan@example.com"),
    ("Info@Bedrijf.nl", "info@bedrijf.nl"),  # a role mailbox (RFC 2142): email_validator lower-cases it
    ("o'brien+tag@mail.co.uk", "o'brien+tag@mail.co.uk"),
    ("Zoë.Çelik@Gmail.com", "Zoë.Çelik@gmail.com"),  # Latin letters: an internationalised local part as written
])
def test_plain_addresses_take_the_fast_path(raw: str, clean: str) -> None:
    assert email_fast.covered(np.array([raw], dtype=object)).all()
    assert email_fast.normalise_emails(np.array([raw], dtype=object)).outcomes()[0].value == clean


@pytest.mark.parametrize("raw", [
    "jan@münchen.de", "jan@xn--mnchen-3ya.de", "jan@localhost", "jan@bedrijf.local", "jan@gmail..com",
    '"jan"@gmail.com', "jan@1.2.3.4", "", "jan\u00a0jansen@gmail.com", "jan\x7f@gmail.com", "jan×2@gmail.com",
    "jan\u0301@gmail.com", "jan\u00ad@gmail.com",
])
def test_other_addresses_fall_back(raw: str) -> None:
    assert not email_fast.covered(np.array([raw], dtype=object)).any()
