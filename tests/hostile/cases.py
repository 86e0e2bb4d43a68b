"""Hostile cases: bytes made to break readers (mutated fixtures, random bytes, nasty text, odd headers and
encodings), and running one through ``alphaimport build`` to be judged (see harness.judge)."""
from __future__ import annotations

import collections
import csv
import dataclasses
import io
import random
import re
import zipfile
from pathlib import Path

from .harness import (
    ALL_FIXTURES, EXTENSIONS, OUTPUT_FORMATS, PROFILES, Run, Verdict, build_argv, judge,
    run_inprocess, run_subprocess,
)


# -- hostile inputs ---------------------------------------------------------------------------------------

#: characters that have broken parsers, writers and terminals
NASTY = ("\x00", "\ud800", "\udfff", "\u202e", "\u200f", "\u200b", "\ufeff", "\ufffe", "\uffff", "\r", "\n",
         "\r\n", "\t", '"', "'", ";", ",", "|", "\\", "<", "&", "]]>", "\x1b[31m", "\x7f", "\x85", "\u2028",
         "é", "ß", "İ", "\U0001F600", "\U0001F1F3\U0001F1F1", "e\u0301", "=cmd|' /C calc'!A0", "=1+1",
         "+31612345678", "00123", "1e5", "NaN", "null", "None", "%s%n", "${jndi:ldap://x}", "_x0041_")

CANONICAL_HEADERS = ("IDENTIFICATION_IDENTIFIER", "PERSON_FAMILYNAME", "CONTACT_PHONENUMBER_1", "CONTROL_FLOWID",
                     "INVOICE_AMOUNT", "INVOICE_DUEDATE", "CONTACT_EMAIL_1", "PERSON_GENDER", "ADDRESS_COUNTRY",
                     "identifier", "personFamilyName", "toPhoneNumbers", "flowId", "person_familyname")

ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "utf-16-le", "utf-7", "unicode_escape",
             "ascii", "no-such-codec")


def nasty_text(rnd: random.Random, max_parts: int = 6) -> str:
    """A short string mixing nasty characters with ordinary text."""
    parts = []
    for _ in range(rnd.randint(0, max_parts)):
        kind = rnd.random()
        if kind < 0.5:
            parts.append(rnd.choice(NASTY))
        elif kind < 0.8:
            parts.append("".join(rnd.choice("abcXYZ019 -_.@") for _ in range(rnd.randint(1, 8))))
        else:
            parts.append("".join(chr(rnd.randint(1, 0x2FFF)) for _ in range(rnd.randint(1, 4))))
    return "".join(parts)


def random_header(rnd: random.Random, width: int) -> list[str]:
    """A header row: canonical and API names, near misses, nasty text, blanks and repeats."""
    header = []
    for _ in range(width):
        kind = rnd.random()
        if kind < 0.4:
            header.append(rnd.choice(CANONICAL_HEADERS))
        elif kind < 0.55:
            name = rnd.choice(CANONICAL_HEADERS)
            position = rnd.randrange(len(name))
            header.append(name[:position] + rnd.choice("xX_ ") + name[position + 1:])
        elif kind < 0.65:
            header.append("")
        elif kind < 0.7 and header:
            header.append(rnd.choice(header))
        else:
            header.append(nasty_text(rnd))
    return header


def record_values(rnd: random.Random, width: int) -> list[str]:
    """One record of plausible, odd and nasty values."""
    plausible = ("0612345678", "+31 6 12345678", "31612345678", "Jansen", "1001", "€ 1.234,56", "12345",
                 "31-12-2027", "2027-12-31", "a@b.nl", "M", "vrouw", "NL", "Nederland", "EUR", "ja", "")
    return [rnd.choice(plausible) if rnd.random() < 0.6 else nasty_text(rnd) for _ in range(width)]


def table(rnd: random.Random) -> tuple[list[str], list[list[str]]]:
    """A header and some records."""
    width = rnd.randint(1, 8)
    header = random_header(rnd, width)
    records = [record_values(rnd, width) for _ in range(rnd.randint(0, 6))]
    return header, records


def encode_table(header: list[str], records: list[list[str]], ext: str, rnd: random.Random) -> bytes:
    """The table as the bytes of a file of that extension (text formats keep every nasty character)."""
    if ext == ".json":
        import json

        items = [dict(zip(header, values)) for values in records] or [dict.fromkeys(header, "")]
        text = json.dumps(items, ensure_ascii=rnd.random() < 0.5)
        return text.encode("utf-8", "surrogatepass")
    if ext == ".xml":
        return _xml_table(header, records)
    if ext in (".xlsx", ".ods"):
        return _spreadsheet_table(header, records, ext)
    delimiter = rnd.choice(";,\t|")
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, quoting=rnd.choice([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
                        lineterminator=rnd.choice(["\n", "\r\n", "\r"]))
    writer.writerow(header)
    writer.writerows(records)
    encoding = rnd.choice(["utf-8", "utf-8-sig", "cp1252", "utf-16"])
    return buffer.getvalue().encode(encoding, "surrogatepass" if encoding.startswith("utf") else "replace")


def _xml_table(header: list[str], records: list[list[str]]) -> bytes:
    from xml.sax.saxutils import escape

    def name(text: str) -> str:
        cleaned = re.sub(r"[^A-Za-z0-9_]", "", text.lower()) or "x"
        return cleaned if not cleaned[0].isdigit() else "n" + cleaned

    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<annabel>"]
    for values in records or [[""] * len(header)]:
        lines.append("<record>")
        for head, value in zip(header, values):
            category, _, field = head.partition("_")
            text = escape(value).encode("utf-8", "surrogatepass").decode("utf-8", "replace")
            lines.append(f"<{name(category)}><{name(field)}>{text}</{name(field)}></{name(category)}>")
        lines.append("</record>")
    lines.append("</annabel>")
    return "\n".join(lines).encode("utf-8", "surrogatepass")


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _spreadsheet_table(header: list[str], records: list[list[str]], ext: str) -> bytes:
    """An XLSX (xlsxwriter) or ODS (odfpy) with these cells; characters XML cannot hold become '?'."""
    import tempfile

    clean = [[_NOT_XML.sub("?", v) for v in row] for row in [header, *records]]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"t{ext}"
        if ext == ".xlsx":
            import xlsxwriter

            book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                                   "strings_to_urls": False})
            sheet = book.add_worksheet()
            for r, row in enumerate(clean):
                for c, value in enumerate(row):
                    sheet.write_string(r, c, value[:32767])
            book.close()
        else:
            from odf.opendocument import OpenDocumentSpreadsheet
            from odf.table import Table, TableCell, TableRow
            from odf.text import P

            document = OpenDocumentSpreadsheet()
            sheet = Table(name="Sheet1")
            for row in clean:
                table_row = TableRow()
                for value in row:
                    cell = TableCell(valuetype="string")
                    cell.addElement(P(text=value))
                    table_row.addElement(cell)
                sheet.addElement(table_row)
            document.spreadsheet.addElement(sheet)
            document.save(str(path))
        return path.read_bytes()


def truncated(data: bytes, rnd: random.Random) -> bytes:
    """The bytes cut short: anywhere, just after the start, or just before the end."""
    if not data:
        return data
    where = rnd.random()
    if where < 0.3:
        cut = rnd.randrange(min(len(data), 64))
    elif where < 0.6:
        cut = len(data) - 1 - rnd.randrange(min(len(data), 64))
    else:
        cut = rnd.randrange(len(data))
    return data[:cut]


def bitflipped(data: bytes, rnd: random.Random) -> bytes:
    """The bytes with 1 to 16 bits flipped, some bytes replaced by interesting ones, or a slice repeated."""
    if not data:
        return bytes([rnd.randrange(256)])
    buffer = bytearray(data)
    for _ in range(rnd.randint(1, 16)):
        position = rnd.randrange(len(buffer))
        kind = rnd.random()
        if kind < 0.6:
            buffer[position] ^= 1 << rnd.randrange(8)
        elif kind < 0.85:
            buffer[position] = rnd.choice([0x00, 0xFF, 0x7F, 0x80, 0x22, 0x3B, 0x0A, 0x0D, 0x3C, 0x26, 0xC3, 0xED])
        else:
            end = min(len(buffer), position + rnd.randint(1, 64))
            buffer[position:position] = buffer[position:end] * rnd.randint(1, 8)
    return bytes(buffer)


def zip_member_mutated(data: bytes, rnd: random.Random) -> bytes:
    """For a zip package: one part's *content* truncated or bit-flipped, the archive rebuilt intact
    (so the mutation reaches the XML parsers instead of stopping at a CRC check)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = [(info, archive.read(info)) for info in archive.infolist()]
    except Exception:  # noqa: BLE001 - not a readable zip: mutate the bytes instead
        return bitflipped(data, rnd)
    if not parts:
        return data
    target = rnd.randrange(len(parts))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, (info, content) in enumerate(parts):
            if number == target:
                content = truncated(content, rnd) if rnd.random() < 0.3 else bitflipped(content, rnd)
            archive.writestr(info.filename, content)
    return buffer.getvalue()


MAGICS = (b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"<?xml version='1.0'?>", b"<annabel>",
          b"[", b"{\"rows\": [", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"IDENTIFICATION_IDENTIFIER;",
          b"<!DOCTYPE annabel [", b"<html>")


def random_bytes(rnd: random.Random, size: int | None = None) -> bytes:
    """Random bytes, sometimes after the magic start of a known format."""
    size = rnd.choice([0, 1, 7, 64, 512, 4096]) if size is None else size
    return rnd.choice(MAGICS) + rnd.randbytes(size)


def huge_line(ext: str, megabytes: int = 10) -> bytes:
    """One record whose value is ``megabytes`` MB long, in the given format."""
    value = "x" * (megabytes << 20)
    if ext == ".json":
        return ('[{"identifier": "A1", "personFamilyName": "' + value + '", "flowId": "1001"}]').encode()
    if ext == ".xml":
        return (f"<annabel><record><identification><identifier>A1</identifier></identification>"
                f"<person><familyname>{value}</familyname></person></record></annabel>").encode()
    if ext in (".xlsx", ".ods"):
        return _spreadsheet_table(["IDENTIFICATION_IDENTIFIER", "PERSON_FAMILYNAME"], [["A1", value]], ext)
    return f"IDENTIFICATION_IDENTIFIER;PERSON_FAMILYNAME\nA1;{value}\n".encode()


@dataclasses.dataclass(frozen=True)
class Case:
    """One hostile input: its bytes, the extension it is saved under, how it was made, extra options."""

    kind: str
    ext: str
    data: bytes
    options: tuple[str, ...] = ()
    origin: str = ""

    @property
    def format(self) -> str:
        return self.ext.lstrip(".")


KINDS = ("fixture", "truncated", "bitflip", "zip-part", "random-bytes", "unicode", "random-header", "encoding")


def make_case(kind: str, rnd: random.Random, ext: str | None = None, fixture: Path | None = None) -> Case:
    """One case of a kind; the fixture and the extension are drawn when not given."""
    ext = ext or rnd.choice(EXTENSIONS)
    fixture = fixture or rnd.choice(ALL_FIXTURES)
    if kind == "fixture":
        return Case(kind, ext, fixture.read_bytes(), origin=fixture.name)
    if kind == "truncated":
        return Case(kind, ext, truncated(fixture.read_bytes(), rnd), origin=fixture.name)
    if kind == "bitflip":
        return Case(kind, ext, bitflipped(fixture.read_bytes(), rnd), origin=fixture.name)
    if kind == "zip-part":
        zips = [f for f in ALL_FIXTURES if f.suffix in (".xlsx", ".xlsm", ".ods")]
        source = fixture if fixture.suffix in (".xlsx", ".xlsm", ".ods") else rnd.choice(zips)
        return Case(kind, ext, zip_member_mutated(source.read_bytes(), rnd), origin=source.name)
    if kind == "random-bytes":
        return Case(kind, ext, random_bytes(rnd))
    if kind in ("unicode", "random-header"):
        header, records = table(rnd)
        if kind == "unicode":  # the nasty text in the values, under a header that maps
            header = [rnd.choice(CANONICAL_HEADERS[:9]) for _ in header]
            header = list(dict.fromkeys(header)) + [f"X{i}" for i in range(len(header) - len(set(header)))]
            records = [[nasty_text(rnd) for _ in header] for _ in records or [[]]]
        return Case(kind, ext, encode_table(header, records, ext, rnd))
    if kind == "encoding":
        header, records = table(rnd)
        data = encode_table(header, records, ".csv" if ext not in (".json", ".xml") else ext, rnd)
        return Case(kind, ext, data, options=("--encoding", rnd.choice(ENCODINGS)))
    raise ValueError(f"unknown kind {kind}")


#: cases run in this process, by (extension, kind): the suite prints it, the campaign adds it up
TALLY: collections.Counter = collections.Counter()


def run_case(case: Case, folder: Path, ledger: Path, rnd: random.Random, timeout: float = 20.0,
             subprocess_run: bool = False) -> tuple[Run, Verdict]:
    """Save the case in ``folder`` and build it (format and profile drawn); the run and its verdict."""
    TALLY[(case.ext, case.kind)] += 1
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"input{case.ext}"
    source.write_bytes(case.data)
    out_dir = folder / "out"
    argv = build_argv(source, out_dir, ledger, rnd.choice(OUTPUT_FORMATS), rnd.choice(PROFILES), *case.options)
    run = run_subprocess(argv, timeout=timeout * 3) if subprocess_run else run_inprocess(argv, timeout=timeout)
    return run, judge(run, out_dir)


def write_kill_input(path: Path, rows: int, seed: int = 0) -> None:
    """A CSV export of ``rows`` records, one in twenty with a phone number that is rejected."""
    rnd = random.Random(seed)
    lines = ['"IDENTIFICATION_IDENTIFIER";"PERSON_FAMILYNAME";"CONTACT_PHONENUMBER_1";"CONTROL_FLOWID";'
             '"INVOICE_DESCRIPTION"']
    for number in range(rows):
        phone = "06-1234" if number % 20 == 7 else f"06{rnd.randrange(10**8):08d}"
        lines.append(f'"K{number:07d}";"Jansen-{number} é";"{phone}";"1001";"factuur ""{number}""; € 12,50"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
