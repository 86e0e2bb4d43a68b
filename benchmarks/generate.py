"""A seeded generator of messy Dutch ERP debtor dumps, for the benchmarks.

    python benchmarks/generate.py --rows 1000000 --seed 7 --out benchmarks/data/erp_1m.csv

26 columns with the headers a Dutch ERP writes (``Klantnummer``, ``Telefoon``, ``Bedrag`` ...), mapped
to Collectmaxx fields by ``benchmarks/erp_bench.yaml``. The values are what such exports hold: phone
numbers in every notation (``06-12345678``, ``+31 6 1234 5678``, ``0031612345678``, ``612345678``
without its zero, Belgian and German mobiles), amounts in Dutch and English notation (``1.234,56``,
``1,234.56``, ``85,00``, ``12.5``, ``1.250,-``), dates in mixed styles (``31-12-2027``, ``2027-12-31``,
``31/12/2027``, ``1-7-2027``), stray spaces and line breaks, about 2% invalid values of each kind and
about 0.5% repeated customer numbers (from anywhere earlier in the file, so across chunks). Phone
numbers, e-mail addresses, identifiers and references are mostly distinct, as in a real file; names,
streets and towns repeat.

The output is a ``;``-separated UTF-8 file with CRLF line ends (a Windows export). Rows are made in
blocks of 10,000, each from its own random stream (``seed``, block number), all with numpy and
pyarrow.compute (a million rows take about 15 s), and a smaller file is the head of a larger one for
the same seed: ``--rows 100000`` holds the first 100,000 rows of ``--rows 1000000``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

BLOCK_ROWS = 10_000
DEFAULT_BASE_DATE = dt.date(2028, 1, 1)  # invoice dates lie before it, due dates after it

#: ERP header -> Collectmaxx field; erp_bench.yaml maps exactly these (a test checks it)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("Klantnummer", "IDENTIFICATION_IDENTIFIER"),
    ("Relatiecode", "PERSON_IDENTIFIER"),
    ("Geslacht", "PERSON_GENDER"),
    ("Titel", "PERSON_HONORIFICPREFIX"),
    ("Voornaam", "PERSON_GIVENNAME"),
    ("Achternaam", "PERSON_FAMILYNAME"),
    ("Geboortedatum", "PERSON_BIRTHDAY"),
    ("Straat", "ADDRESS_STREET"),
    ("Huisnummer", "ADDRESS_HOUSENUMBER"),
    ("Toevoeging", "ADDRESS_EXTENSION"),
    ("Postcode", "ADDRESS_ZIPCODE"),
    ("Woonplaats", "ADDRESS_CITY"),
    ("Land", "ADDRESS_COUNTRY"),
    ("Telefoon", "CONTACT_PHONENUMBER_1"),
    ("Mobiel", "CONTACT_PHONENUMBER_2"),
    ("Telefoon werk", "CONTACT_PHONENUMBER_3"),
    ("E-mail", "CONTACT_EMAIL_1"),
    ("E-mail facturen", "CONTACT_EMAIL_2"),
    ("Factuurnummer", "INVOICE_NUMBER"),
    ("Factuurdatum", "INVOICE_DATE"),
    ("Vervaldatum", "INVOICE_DUEDATE"),
    ("Bedrag", "INVOICE_AMOUNT"),
    ("BTW bedrag", "INVOICE_TAX"),
    ("Valuta", "INVOICE_CURRENCY"),
    ("Omschrijving", "INVOICE_DESCRIPTION"),
    ("Betalingskenmerk", "INVOICE_REFERENCE"),
)
HEADERS = tuple(h for h, _ in COLUMNS)

FIRST_NAMES = (
    "Jan", "Piet", "Kees", "Henk", "Willem", "Johannes", "Cornelis", "Hendrik", "Gerrit", "Dirk", "Pieter",
    "Daan", "Sem", "Lucas", "Levi", "Finn", "Milan", "Bram", "Thijs", "Ruben", "Jesse", "Thomas", "Tim",
    "Mohamed", "Ahmed", "Youssef", "Mehmet", "Emre", "Sven", "Joost", "Maarten", "Bas", "Ruud", "Frank",
    "Maria", "Anna", "Johanna", "Cornelia", "Elisabeth", "Wilhelmina", "Emma", "Julia", "Sophie", "Tess",
    "Zoë", "Sara", "Fenna", "Lotte", "Eva", "Lisa", "Anouk", "Femke", "Sanne", "Linda", "Marieke", "Inge",
    "Fatima", "Noor", "Yasmina", "Ayşe", "Zeynep", "Chantal", "Ingrid", "Petra", "Monique", "Renée", "José",
    "Chloé", "Jürgen", "Françoise", "Björn", "Ömer",
)
LAST_NAMES = (
    "Jansen", "de Jong", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit",
    "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker",
    "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "van der Linden", "Kok", "Jacobs",
    "de Haan", "Vermeulen", "van den Heuvel", "van der Veen", "van den Broek", "de Bruijn", "de Bruin",
    "van der Heijden", "Schouten", "van Beek", "Willems", "van Vliet", "van de Ven", "Hoekstra", "Maas",
    "Verhoeven", "Koster", "van Dam", "van der Wal", "Prins", "Blom", "Huisman", "Peeters", "Claes",
    "Müller", "Schmidt", "Yılmaz", "Kaya", "El Amrani", "Bouzid", "Öztürk", "Nguyen", "Kowalski",
    "van 't Hof", "ter Horst", "Ten Cate", "Çelik", "Groenewegen-Van der Velden",
)
STREETS = (
    "Kerkstraat", "Schoolstraat", "Molenweg", "Dorpsstraat", "Stationsweg", "Hoofdstraat", "Julianalaan",
    "Beatrixstraat", "Wilhelminastraat", "Oranjestraat", "Nieuwstraat", "Marktplein", "Parallelweg",
    "Kastanjelaan", "Eikenlaan", "Lindelaan", "Prinses Irenestraat", "Burgemeester de Withstraat",
    "Van Goghstraat", "Rembrandtlaan", "Industrieweg", "Havenstraat", "Singel", "Herengracht",
    "Keizersgracht", "Prinsengracht", "Coolsingel", "Oudegracht", "Vismarkt", "Grote Markt",
    "Lange Voorhout", "Achter de Dom", "Zuiderzeeweg", "Rijksstraatweg", "Amsterdamsestraatweg",
)
CITIES = (
    "Amsterdam", "Rotterdam", "Den Haag", "'s-Gravenhage", "Utrecht", "Eindhoven", "Groningen", "Tilburg",
    "Almere", "Breda", "Nijmegen", "Apeldoorn", "Haarlem", "Arnhem", "Enschede", "Amersfoort", "Zaanstad",
    "'s-Hertogenbosch", "Den Bosch", "Zwolle", "Leiden", "Maastricht", "Dordrecht", "Ede", "Alphen aan den Rijn",
    "Leeuwarden", "Alkmaar", "Emmen", "Delft", "Venlo", "Deventer", "Helmond", "Hilversum", "Amstelveen",
    "Oss", "Zoetermeer", "Sittard-Geleen", "Hengelo", "Purmerend", "Roosendaal",
)
DOMAINS = (
    "gmail.com", "hotmail.com", "outlook.com", "live.nl", "ziggo.nl", "kpnmail.nl", "xs4all.nl",
    "planet.nl", "home.nl", "hetnet.nl", "icloud.com", "yahoo.com", "telenet.be", "web.de", "gmx.de",
    "bedrijf.nl", "bouwbedrijf-jansen.nl", "zorggroep.nl",
)
DESCRIPTIONS = (
    "abonnement", "levering", "onderhoud", "service", "energie", "huur", "contributie", "lesgeld",
    "zorgkosten", "parkeervergunning", "reparatie", "installatie", "advieskosten", "termijn 1 van 3",
)
# NL area codes (2 digits: 7-digit subscriber numbers; 3 digits: 6-digit subscriber numbers)
NL_AREAS = (
    "10", "20", "30", "40", "50", "70", "13", "15", "23", "24", "26", "33", "35", "36", "38", "43", "45",
    "46", "53", "55", "58", "71", "72", "73", "74", "75", "76", "77", "78", "79", "111", "113", "162",
    "172", "180", "222", "251", "294", "313", "318", "341", "412", "475", "495", "511", "521", "546",
    "570", "591", "599",
)


class Block:
    """One block of rows: a random stream and the vectorised helpers that draw string columns from it."""

    def __init__(self, seed: int, number: int, rows: int, first_row: int) -> None:
        self.rng = np.random.default_rng([seed, number])
        self.n = rows
        self.first_row = first_row

    # -- drawing -------------------------------------------------------------------------------
    def ints(self, low: int, high: int) -> np.ndarray:
        return self.rng.integers(low, high, size=self.n)

    def chance(self, share: float) -> np.ndarray:
        return self.rng.random(self.n) < share

    def pick(self, options: Sequence[str], weights: Sequence[float] | None = None) -> pa.Array:
        """One of ``options`` per row (weights need not sum to 1)."""
        p = None if weights is None else np.asarray(weights, dtype=float) / np.sum(weights)
        return pa.array(list(options), pa.string()).take(pa.array(self.rng.choice(len(options), self.n, p=p)))

    def kind(self, weights: Sequence[float]) -> np.ndarray:
        p = np.asarray(weights, dtype=float)
        return self.rng.choice(len(p), self.n, p=p / p.sum())

    def digits(self, width: int, low: int = 0, high: int | None = None) -> pa.Array:
        """Zero-padded numbers of ``width`` digits drawn from [low, high)."""
        return _pad(_num(self.ints(low, high if high is not None else 10 ** width)), width)

    # -- value kinds ---------------------------------------------------------------------------
    def nl_mobile(self) -> pa.Array:
        d = self.digits(8, 10_000_000, 60_000_000)  # 06-1x .. 06-5x
        nsn = _cat("6", d)
        forms = (
            (0.24, _cat("06-", d)),
            (0.24, _cat("0", nsn)),
            (0.10, _cat("+31 6 ", _sub(d, 0, 4), " ", _sub(d, 4, 8))),
            (0.07, _cat("0031", nsn)),
            (0.07, _cat("31", nsn)),
            (0.06, nsn),  # a spreadsheet dropped the leading zero
            (0.06, _cat("+31 (0)6 ", d)),
            (0.08, _cat("06 ", _sub(d, 0, 2), " ", _sub(d, 2, 4), " ", _sub(d, 4, 6), " ", _sub(d, 6, 8))),
            (0.05, _cat("+31", nsn)),
            (0.03, _cat("06.", d)),
        )
        return self._forms(forms)

    def nl_landline(self) -> pa.Array:
        area = self.pick(NL_AREAS, [8 if len(a) == 2 else 1 for a in NL_AREAS])
        sub = _num(self.ints(2_000_000, 10_000_000))  # 7 digits; a 3-digit area keeps the first 6
        nsn = _sub(_cat(area, sub), 0, 9)
        forms = (
            (0.30, _sub(_cat("0", area, "-", sub), 0, 11)),
            (0.25, _cat("0", nsn)),
            (0.12, _cat("+31 ", _sub(_cat(area, " ", sub), 0, 10))),
            (0.08, _cat("0031", nsn)),
            (0.10, _sub(_cat("(0", area, ") ", sub), 0, 13)),
            (0.07, _cat("31", nsn)),
            (0.08, _cat("+31", nsn)),
        )
        return self._forms(forms)

    def be_mobile(self) -> pa.Array:
        x, d = _num(self.ints(0, 10)), self.digits(6)
        nsn = _cat("47", x, d)
        forms = (
            (0.45, _cat("+32 47", x, " ", _sub(d, 0, 2), " ", _sub(d, 2, 4), " ", _sub(d, 4, 6))),
            (0.25, _cat("0032", nsn)),
            (0.20, _cat("+32", nsn)),
            (0.10, _cat("+32 (0)47", x, " ", d)),
        )
        return self._forms(forms)

    def de_mobile(self) -> pa.Array:
        fifteen = self.chance(0.5)
        prefix = pc.if_else(fifteen, self.pick(("151", "152", "157", "159")), _cat("17", _num(self.ints(0, 10))))
        rest = pc.if_else(fifteen, self.digits(8), self.digits(7))
        forms = (
            (0.45, _cat("+49 ", prefix, " ", rest)),
            (0.25, _cat("0049", prefix, rest)),
            (0.20, _cat("+49", prefix, rest)),
            (0.10, _cat("+49 (0)", prefix, " ", rest)),
        )
        return self._forms(forms)

    def bad_phone(self) -> pa.Array:
        forms = (
            (0.30, _cat("06-", self.digits(7))),  # a digit short
            (0.15, _cat("+31 6 ", self.digits(9))),  # a digit too many
            (0.15, self.pick(("onbekend", "n.v.t.", "-", "geen", "zie mobiel", "0"))),
            (0.15, _cat("06-", self.digits(6), "x", self.digits(1))),  # letters
            (0.10, _cat("010-", self.digits(7), " tst. ", self.digits(3))),  # an extension
            (0.15, _cat("00", self.digits(8))),  # no country code
        )
        return self._forms(forms)

    def phone(self, nl_mobile: float, nl_land: float, be: float, de: float, empty: float,
              invalid: float) -> pa.Array:
        choices = (self.nl_mobile(), self.nl_landline(), self.be_mobile(), self.de_mobile(),
                   pa.nulls(self.n, pa.string()).fill_null(""), self.bad_phone())
        return pc.choose(pa.array(self.kind((nl_mobile, nl_land, be, de, empty, invalid))), *choices)

    def date(self, start: dt.date, days: int, empty: float = 0.0, invalid: float = 0.02) -> pa.Array:
        epoch = np.datetime64(start) + self.ints(0, days).astype("timedelta64[D]")
        year = epoch.astype("datetime64[Y]")
        month = epoch.astype("datetime64[M]")
        y = _num(year.astype(int) + 1970)
        m = _num((month - year).astype(int) + 1)
        d = _num((epoch - month).astype("timedelta64[D]").astype(int) + 1)
        mm, dd = _pad(m, 2), _pad(d, 2)
        forms = (
            (0.42, _cat(dd, "-", mm, "-", y)),
            (0.20, _cat(y, "-", mm, "-", dd)),
            (0.10, _cat(dd, "/", mm, "/", y)),
            (0.10, _cat(d, "-", m, "-", y)),
            (0.06, _cat(y, "-", mm, "-", dd, " 00:00:00")),
            (0.06, _cat(dd, ".", mm, ".", y)),
            (0.06, _cat(d, "/", m, "/", y)),
        )
        bad = self._forms((
            (0.25, _cat(self.pick(("30", "31")), "-02-", y)),  # no such day
            (0.20, _cat(y, "-13-", dd)),  # no such month
            (0.25, _cat(dd, "-", mm, "-", _sub(y, 2, 4))),  # a two-digit year
            (0.15, self.pick(("00-00-0000", "n.v.t.", "onbekend", "0000-00-00"))),
            (0.15, _cat(dd, mm, _sub(y, 2, 4))),  # 311227
        ))
        return self._mix(self._forms(forms), empty, bad, invalid)

    def amount(self, empty: float = 0.0, invalid: float = 0.02, scale: float = 1.0) -> pa.Array:
        euros_drawn = self.rng.lognormal(4.5, 1.4, self.n) * scale
        cents = np.clip(np.round(euros_drawn * 100), 1, 99_999_999).astype(np.int64)
        e, c = cents // 100, cents % 100
        euros = _num(e)
        grouped = pc.if_else(pa.array(e >= 1000), _cat(_num(e // 1000), ".", _pad(_num(e % 1000), 3)), euros)
        grouped_en = pc.if_else(pa.array(e >= 1000), _cat(_num(e // 1000), ",", _pad(_num(e % 1000), 3)), euros)
        cc = _pad(_num(c), 2)
        forms = (
            (0.28, _cat(grouped, ",", cc)),  # 1.234,56
            (0.25, _cat(euros, ",", cc)),  # 1234,56 / 85,00
            (0.10, _cat(grouped_en, ".", cc)),  # 1,234.56
            (0.10, _cat(euros, ".", cc)),  # 1234.56
            (0.05, _cat(euros, ".", _num(c // 10))),  # 12.5
            (0.07, _cat("€ ", grouped, ",", cc)),  # € 1.234,56
            (0.10, euros),  # whole euros (the mapping declares the unit)
            (0.05, _cat(grouped, ",-")),  # 1.250,-
        )
        bad = self._forms((
            (0.30, _cat(_num(self.ints(1, 1000)), ".", self.digits(3))),  # 1.234: thousands or decimals?
            (0.25, _cat("-", euros, ",", cc)),  # a credit
            (0.15, _cat(euros, ",", cc, "5")),  # three decimals
            (0.15, self.pick(("n.v.t.", "onbekend", "EUR", "-", "gratis"))),
            (0.15, _cat(euros, ",", cc, ".", cc)),  # irregular separators
        ))
        return self._mix(self._forms(forms), empty, bad, invalid)

    def email(self, first: pa.Array, last: pa.Array, empty: float, invalid: float) -> pa.Array:
        local_last = pc.replace_substring(pc.replace_substring(last, " ", ""), "'", "")
        number = pc.if_else(self.chance(0.7), _num(self.ints(1, 10_000)), "")
        sep = self.pick((".", "", "_", "-"), (6, 2, 1, 1))
        domain = self.pick(DOMAINS, [10, 10, 8, 6, 6, 5, 3, 3, 3, 2, 3, 2, 2, 1, 1, 1, 1, 1])
        local = _cat(pc.utf8_lower(first), sep, pc.utf8_lower(local_last), number)
        forms = (
            (0.92, _cat(local, "@", domain)),
            (0.04, _cat(first, ".", local_last, number, "@", pc.utf8_upper(domain))),  # capitals
            (0.03, _cat(" ", local, "@", domain, " ")),
            (0.01, _cat("mailto:", local, "@", domain)),
        )
        bad = self._forms((
            (0.25, _cat(local, "@")),
            (0.20, _cat(local, "@", pc.utf8_slice_codeunits(domain, 0, 5))),  # gmail: no top-level domain
            (0.20, _cat(local, "@@", domain)),
            (0.20, _cat(pc.utf8_lower(first), " ", pc.utf8_lower(local_last), "@", domain)),
            (0.15, self.pick(("geen", "-", "n.v.t.", "onbekend@", "info@bedrijf"))),
        ))
        return self._mix(self._forms(forms), empty, bad, invalid)

    # -- combining -----------------------------------------------------------------------------
    def _forms(self, forms: Sequence[tuple[float, pa.Array]]) -> pa.Array:
        return pc.choose(pa.array(self.kind([w for w, _ in forms])), *[a for _, a in forms])

    def _mix(self, good: pa.Array, empty: float, bad: pa.Array, invalid: float) -> pa.Array:
        which = self.kind((1 - empty - invalid, empty, invalid))
        return pc.choose(pa.array(which), good, "", bad)

    def messy(self, values: pa.Array, share: float = 0.02) -> pa.Array:
        """Stray spaces around a share of the values, as hand-typed data has."""
        which = self.kind((1 - share, share * 0.6, share * 0.4))
        return pc.choose(pa.array(which), values, _cat(values, " "), _cat("  ", values))


def block(seed: int, number: int, base_date: dt.date = DEFAULT_BASE_DATE) -> pa.Table:
    """Block ``number`` (BLOCK_ROWS rows from row ``number * BLOCK_ROWS``) of the dump for ``seed``."""
    rows = BLOCK_ROWS
    b = Block(seed, number, rows, number * BLOCK_ROWS)
    row = np.arange(b.first_row, b.first_row + rows, dtype=np.int64)
    cols: dict[str, pa.Array] = {}

    # customer number: 8 digits with leading zeros; ~0.5% repeat one from anywhere earlier in the file
    source = row.copy()
    repeat = b.chance(0.005) & (row > 0)
    source[repeat] = np.floor(b.rng.random(int(repeat.sum())) * row[repeat]).astype(np.int64)
    identifier = _pad(_num(source * 7 + 10_000), 8)
    cols["Klantnummer"] = pc.if_else(b.chance(0.001), "", identifier)
    cols["Relatiecode"] = pc.if_else(b.chance(0.4), "", _cat("REL", b.digits(6)))
    cols["Geslacht"] = b.pick(("M", "V", "man", "vrouw", "Dhr.", "Mevr.", "m", "v", "", "O", "X", "onbekend",
                               "?", "mr", "Mw"),
                              (20, 20, 6, 6, 8, 8, 3, 3, 20, 1, 1, 1, 1.2, 0.4, 0.4))
    cols["Titel"] = b.pick(("", "dr.", "mr.", "ir.", "drs.", "ing.", "prof."), (90, 2, 2, 2, 2, 1.5, 0.5))
    first = b.pick(FIRST_NAMES)
    last = b.pick(LAST_NAMES)
    cols["Voornaam"] = b.messy(pc.if_else(b.chance(0.03), "", first))
    long_name = _cat(last, "-", last, "-", last, "-", last, "-", last, "-", last, "-", last, "-", last)
    cols["Achternaam"] = b.messy(pc.choose(pa.array(b.kind((0.985, 0.01, 0.005))), last, "", long_name))
    cols["Geboortedatum"] = b.date(dt.date(1935, 1, 1), 70 * 365, empty=0.35)
    cols["Straat"] = b.messy(b.pick(STREETS))
    cols["Huisnummer"] = _num(b.ints(1, 300))
    cols["Toevoeging"] = b.pick(("", "A", "B", "C", "a", "bis", "1", "2", "-1", "2 hoog", "rood", "I"),
                                (85, 3, 2, 1, 1, 0.5, 1, 1, 1, 2, 0.5, 0.5))
    cols["Postcode"] = _cat(b.digits(4, 1000, 10000), b.pick((" ", ""), (6, 4)),
                            b.pick(("AB", "CD", "EF", "GH", "JK", "LM", "NP", "RS", "TV", "XZ", "ab", "cd")))
    cols["Woonplaats"] = b.messy(b.pick(CITIES))
    cols["Land"] = b.pick(("NL", "Nederland", "nl", "", "BE", "België", "Belgie", "DE", "Duitsland", "Holand",
                           "N.L.", "NLD"),
                          (55, 15, 5, 12, 3, 1.5, 0.5, 2, 2, 1, 1, 2))
    cols["Telefoon"] = b.phone(nl_mobile=0.33, nl_land=0.45, be=0.04, de=0.04, empty=0.12, invalid=0.02)
    cols["Mobiel"] = b.phone(nl_mobile=0.60, nl_land=0.02, be=0.03, de=0.03, empty=0.305, invalid=0.015)
    cols["Telefoon werk"] = b.phone(nl_mobile=0.05, nl_land=0.10, be=0.003, de=0.003, empty=0.84, invalid=0.004)
    cols["E-mail"] = b.email(first, last, empty=0.15, invalid=0.02)
    cols["E-mail facturen"] = b.email(first, last, empty=0.85, invalid=0.003)
    invoice = _cat("F", _num(np.full(rows, base_date.year - 1)), "-", _pad(_num(row + 1), 7))
    cols["Factuurnummer"] = invoice
    cols["Factuurdatum"] = b.date(base_date - dt.timedelta(days=300), 300, empty=0.005)
    cols["Vervaldatum"] = b.date(base_date, 240, empty=0.005)
    cols["Bedrag"] = b.amount(empty=0.005)
    cols["BTW bedrag"] = b.amount(empty=0.4, scale=0.21)
    cols["Valuta"] = b.pick(("EUR", "eur", "€", "Euro", "", "EURO", "XXX", "E"),
                            (88, 5, 3, 1, 1.2, 0.5, 0.5, 0.8))
    text = _cat(b.pick(("Factuur", "Nota", "Termijnfactuur", "Herinnering factuur", "Creditnota")), " ",
                invoice, " ", b.pick(DESCRIPTIONS))
    broken = _cat(text, b.pick(("\n", "\r\n", "\t")), b.pick(DESCRIPTIONS))  # typed with Enter in a note
    too_long = _cat(text, " ", pc.utf8_rpad(b.pick(DESCRIPTIONS), width=260, padding="."))
    cols["Omschrijving"] = pc.choose(pa.array(b.kind((0.988, 0.002, 0.005, 0.005))), text, broken, too_long, "")
    cols["Betalingskenmerk"] = pc.if_else(b.chance(0.004), "", _cat(b.digits(8), b.digits(8)))
    return pa.table([cols[h] for h in HEADERS], names=list(HEADERS))


def blocks(rows: int, seed: int, base_date: dt.date = DEFAULT_BASE_DATE) -> Iterator[pa.Table]:
    """The dump as tables of at most BLOCK_ROWS rows."""
    for number, start in enumerate(range(0, rows, BLOCK_ROWS)):
        table = block(seed, number, base_date)  # whole blocks: the same rows whatever the total
        yield table if rows - start >= BLOCK_ROWS else table.slice(0, rows - start)


def write(out: Path | str, rows: int, seed: int, base_date: dt.date = DEFAULT_BASE_DATE,
          eol: str = "\r\n") -> Path:
    """Write the dump to ``out`` (through a temporary file, so a half-written file never has its name)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = out.with_name(f".{out.name}.{os.getpid()}.part")
    schema = pa.schema([(h, pa.string()) for h in HEADERS])
    options = pacsv.WriteOptions(delimiter=";", eol=eol, quoting_style="needed")
    try:
        with pacsv.CSVWriter(str(temp), schema, write_options=options) as writer:
            for table in blocks(rows, seed, base_date):
                writer.write_table(table)
        os.replace(temp, out)
    finally:
        temp.unlink(missing_ok=True)
    return out


def _num(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())


def _pad(values: pa.Array, width: int) -> pa.Array:
    return pc.utf8_lpad(values, width=width, padding="0")


def _sub(values: pa.Array, start: int, stop: int) -> pa.Array:
    return pc.utf8_slice_codeunits(values, start, stop)


def _cat(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--base-date", type=dt.date.fromisoformat, default=DEFAULT_BASE_DATE,
                        help=f"invoice dates lie before it, due dates after (default {DEFAULT_BASE_DATE})")
    parser.add_argument("--eol", choices=("crlf", "lf"), default="crlf")
    args = parser.parse_args(argv)
    path = write(args.out, args.rows, args.seed, args.base_date, "\r\n" if args.eol == "crlf" else "\n")
    print(f"wrote {path} ({args.rows:,} rows, seed {args.seed}, {path.stat().st_size / 1e6:,.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
