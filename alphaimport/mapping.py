"""Header mapping: ERP headers, canonical names and API names become the registry's fields.

A mapping file (YAML, layout in DESIGN.md) maps headers to fields, sets constants, amount units, the
date order and the phone region; a header mapped to ``null`` is ignored without a warning. Every
problem in it is one :class:`MappingError` line naming the file and, where known, the line.
Headers are matched case- and space-insensitively: first the mapping's ``columns``, then canonical
names (``person_familyname``), then API RowInput names (``personFamilyName``); any other header is an
``unknown-column`` warning and its values are not delivered.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Sequence

import pandas as pd
import phonenumbers
import pyarrow as pa
import yaml

from alphaimport import registry
from alphaimport.errors import MappingError
from alphaimport.formats.cells import cell_text
from alphaimport.issues import Issue, issue

UNITS = ("cents", "euros")
DATE_ORDERS = ("DMY", "MDY", "YMD")
SECTIONS = ("columns", "constants", "units", "date_order", "region")
_PLAIN_INT = re.compile(r"0|[1-9][0-9]*")  # an unquoted number YAML keeps digit for digit
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"))


@dataclass(frozen=True)
class Mapping:
    """What a mapping file says; the default maps nothing and reads dates day-first, phones as NL."""

    columns: dict[str, str] = field(default_factory=dict)  # header -> field
    constants: dict[str, str] = field(default_factory=dict)  # field -> value for every record
    units: dict[str, str] = field(default_factory=dict)  # field -> cents | euros
    date_order: str = "DMY"
    region: str = "NL"
    ignore: tuple[str, ...] = ()  # headers mapped to null: dropped without a warning


def header_key(header: str) -> str:
    """The form in which headers are compared: case-folded, without any white space."""
    text = unicodedata.normalize("NFKC", header).translate(_INVISIBLE)
    return "".join(text.casefold().split())


# -- reading a mapping file -------------------------------------------------------------------------

@dataclass(frozen=True)
class _Scalar:
    text: str  # as written
    tag: str  # the YAML type it resolves to: str, int, float, bool, null, timestamp, ...
    line: int | None


Pairs = list[tuple[Any, Any]]


def load_mapping(path: str | Path) -> Mapping:
    """The Mapping in a YAML file; any problem is a one-line MappingError naming the file."""
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MappingError(f"{where}: no such mapping file") from None
    except UnicodeDecodeError:
        raise MappingError(f"{where}: the mapping file is not UTF-8 text; save it as UTF-8") from None
    except OSError as exc:
        raise MappingError(f"{where}: cannot read the mapping file ({exc.strerror or exc})") from None
    except ValueError as exc:  # a NUL in the path
        raise MappingError(f"{where!r}: cannot read the mapping file ({exc})") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = f" line {exc.problem_mark.line + 1}" if exc.problem_mark else ""
        context = f" {exc.context} on line {exc.context_mark.line + 1}" if exc.context and exc.context_mark else ""
        raise MappingError(f"{where}{line}: YAML syntax error: {exc.problem or ''}{context}") from None
    except yaml.YAMLError as exc:
        raise MappingError(f"{where}: YAML syntax error: {' '.join(str(exc).split())}") from None
    if node is None:
        raise MappingError(f"{where}: the mapping file is empty")
    return _build(_tree(node, where), where)


def mapping_from_dict(document: dict[str, Any], source: str = "mapping") -> Mapping:
    """The Mapping in a dict laid out like the YAML file (for library use), checked the same way."""
    return _build(_plain(document), source)


def _tree(node: yaml.Node, where: str, depth: int = 0) -> Any:
    if depth > 3:
        raise MappingError(f"{where} line {node.start_mark.line + 1}: nested deeper than a mapping file is")
    if isinstance(node, yaml.ScalarNode):
        return _Scalar(node.value, node.tag.rsplit(":", 1)[-1], node.start_mark.line + 1)
    if isinstance(node, yaml.SequenceNode):
        return [_tree(item, where, depth + 1) for item in node.value]
    return [(_tree(k, where, depth + 1), _tree(v, where, depth + 1)) for k, v in node.value]


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return [(_plain(k), _plain(v)) for k, v in value.items()]
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if value is None:
        return _Scalar("", "null", None)
    tag = "bool" if isinstance(value, bool) else "int" if isinstance(value, int) else \
        "float" if isinstance(value, float) else "str"
    return _Scalar(str(value), tag, None)


class _Where:
    """Builds one-line errors: 'erp.yaml line 7: ...'."""

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, at: Any, message: str) -> MappingError:
        line = at.line if isinstance(at, _Scalar) else None
        return MappingError(f"{self.source}{f' line {line}' if line else ''}: {message}")


def _build(document: Any, source: str) -> Mapping:
    where = _Where(source)
    if not isinstance(document, list) or any(not isinstance(p, tuple) for p in document):
        raise where.error(document, "expected a mapping with the keys " + ", ".join(SECTIONS))
    sections: dict[str, Any] = {}
    for key, value in document:
        name = key.text if isinstance(key, _Scalar) else repr(key)
        if name not in SECTIONS:
            hint = difflib.get_close_matches(name, SECTIONS, n=1)
            raise where.error(key, f"unknown key {name!r}; " + (
                f"did you mean {hint[0]}?" if hint else "the keys are " + ", ".join(SECTIONS)))
        if name in sections:
            raise where.error(key, f"the key {name!r} appears twice")
        sections[name] = value
    columns, ignore = _columns(sections.get("columns"), where)
    constants = _constants(sections.get("constants"), columns, where)
    units = _units(sections.get("units"), columns, where)
    date_order = _code(sections.get("date_order"), "date_order", "DMY", where)
    if date_order not in DATE_ORDERS:
        raise where.error(sections["date_order"], f"date_order {date_order!r} is not one of {', '.join(DATE_ORDERS)}")
    region = _code(sections.get("region"), "region", "NL", where)
    if region not in phonenumbers.SUPPORTED_REGIONS:
        close = difflib.get_close_matches(region, sorted(phonenumbers.SUPPORTED_REGIONS), n=3)
        raise where.error(sections["region"], f"region {region!r} is not a phone region (a two-letter "
                          f"country code{'; did you mean ' + ', '.join(close) + '?' if close else ' such as NL'})")
    return Mapping(columns, constants, units, date_order, region, tuple(ignore))


def _pairs(value: Any, section: str, what: str, where: _Where) -> Pairs:
    if value is None or (isinstance(value, _Scalar) and value.tag == "null"):
        return []
    if not isinstance(value, list) or any(not isinstance(p, tuple) for p in value):
        raise where.error(value, f"{section} must map {what}")
    return value


def _text(value: Any, what: str, where: _Where) -> str:
    """A scalar's text; refused where YAML would read it as something else than the digits written."""
    if not isinstance(value, _Scalar):
        raise where.error(value, f"{what} must be a single value, not a list or mapping")
    if value.tag == "str" or (value.tag == "int" and _PLAIN_INT.fullmatch(value.text)):
        return value.text
    if value.tag == "null":
        raise where.error(value, f"{what} has no value")
    try:
        seen = yaml.safe_load(value.text) if value.line else value.text
    except yaml.YAMLError:
        seen = value.text
    kind = {"int": "number", "float": "number", "bool": "yes/no value", "timestamp": "date"}.get(value.tag, value.tag)
    raise where.error(value, f"{what}: {value.text} is read as the {kind} {seen}, not as text; "
                      f"put it in quotes: \"{value.text}\"")


def _field(value: Any, what: str, where: _Where) -> str:
    name = _text(value, what, where).strip().upper()
    if name in registry.default():
        return name
    close = difflib.get_close_matches(name, registry.default().columns, n=3)
    hint = f"did you mean {', '.join(close)}?" if close else "`alphaimport fields` lists them"
    raise where.error(value, f"{what}: {name!r} is not a field; {hint}")


def _columns(value: Any, where: _Where) -> tuple[dict[str, str], list[str]]:
    columns: dict[str, str] = {}
    ignore: list[str] = []
    headers: dict[str, str] = {}  # header_key -> header as written
    mapped_from: dict[str, str] = {}  # field -> header
    for key, target in _pairs(value, "columns", "headers to fields (Achternaam: PERSON_FAMILYNAME)", where):
        header = _text(key, "a header in columns", where)
        if not header.strip():
            raise where.error(key, "columns: an empty header")
        if header_key(header) in headers:
            raise where.error(key, f"columns: {headers[header_key(header)]!r} and {header!r} are the same "
                              "header (headers match case- and space-insensitively)")
        headers[header_key(header)] = header
        if isinstance(target, _Scalar) and target.tag == "null":
            ignore.append(header)
            continue
        name = _field(target, f"columns: {header}", where)
        if name in mapped_from:
            raise where.error(key, f"a column mapped twice: {mapped_from[name]!r} and {header!r} both map to {name}")
        mapped_from[name] = header
        columns[header] = name
    return columns, ignore


def _constants(value: Any, columns: dict[str, str], where: _Where) -> dict[str, str]:
    constants: dict[str, str] = {}
    for key, text in _pairs(value, "constants", "fields to values (CONTROL_FLOWID: \"1001\")", where):
        name = _field(key, "constants", where)
        if name in constants:
            raise where.error(key, f"constants: {name} is set twice")
        if name in columns.values():
            header = next(h for h, f in columns.items() if f == name)
            raise where.error(key, f"constants: {name} is also mapped from the column {header!r}; keep one")
        constants[name] = _text(text, f"constants: {name}", where)
    return constants


def _units(value: Any, columns: dict[str, str], where: _Where) -> dict[str, str]:
    by_header = {header_key(h): f for h, f in columns.items()}
    units: dict[str, str] = {}
    for key, unit in _pairs(value, "units", "amount fields or headers to cents or euros", where):
        name = _text(key, "a key in units", where)
        target = by_header.get(header_key(name)) or (name.strip().upper() if name.strip().upper() in
                                                      registry.default() else None)
        if target is None:
            close = difflib.get_close_matches(name.strip().upper(), registry.default().columns, n=3)
            close += difflib.get_close_matches(name, list(columns), n=3)
            hint = f"; did you mean {', '.join(close[:3])}?" if close else ""
            raise where.error(key, f"units: {name!r} is neither a header in columns nor a field{hint}")
        spec = registry.default().field(target)
        if spec.type != "cents":
            raise where.error(key, f"units: {target} is a {spec.type} field; units apply to amount fields only")
        said = _code(unit, f"units: {name}", "", where).lower()
        if said not in UNITS:
            raise where.error(unit, f"units: {name}: {said!r} is not a unit; use cents or euros")
        if units.get(target, said) != said:
            raise where.error(key, f"units: {target} is given both {units[target]} and {said}")
        units[target] = said
    return units


def _code(value: Any, what: str, default: str, where: _Where) -> str:
    """A short code (DMY, NL, euros) as written: YAML's reading of NO as false does not apply here."""
    if value is None or (isinstance(value, _Scalar) and value.tag == "null"):
        return default
    if not isinstance(value, _Scalar):
        raise where.error(value, f"{what} must be a single value")
    return value.text.strip().upper()


# -- mapping headers ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class HeaderPlan:
    """How a source's columns (by position) become the canonical columns."""

    sources: dict[str, int]  # field -> position of the input column holding it
    constants: dict[str, str]
    columns: tuple[str, ...]  # the output: mapped fields and constants, registry order
    issues: tuple[Issue, ...]  # unknown headers
    blank: tuple[int, ...]  # positions of columns without a header: warned only if they hold values


@lru_cache(maxsize=1)
def _known() -> dict[str, str]:
    """header_key -> field, for canonical names and API RowInput names (list names: the first item)."""
    reg = registry.default()
    known = {header_key(f.column): f.column for f in reg.fields}
    for spec in reg.fields:
        if spec.api and header_key(spec.api) not in known:
            known[header_key(spec.api)] = reg.column_for_api(spec.api, 1) or spec.column
    return known


def plan_headers(headers: Sequence[object], mapping: Mapping | None = None) -> HeaderPlan:
    """Resolve every header; MappingError when two headers give one field or a constant is also a column."""
    mapping = mapping or Mapping()
    _check(mapping)
    field_of, ignored = header_fields(mapping), {header_key(h) for h in mapping.ignore}
    sources: dict[str, int] = {}
    issues: list[Issue] = []
    blank: list[int] = []
    names = [h if isinstance(h, str) else cell_text(h) for h in headers]
    for position, header in enumerate(names):
        key = header_key(header)
        if not key:
            blank.append(position)
            continue
        if key in ignored:
            continue
        target = field_of(header)
        if target is None:
            issues.append(_unknown(header))
        elif target in sources:
            raise MappingError(f"columns {names[sources[target]]!r} (column {sources[target] + 1}) and {header!r} "
                               f"(column {position + 1}) both map to {target}; remove or rename one")
        elif target in mapping.constants:
            raise MappingError(f"{target} is a constant in the mapping and also the input column {header!r}; keep one")
        else:
            sources[target] = position
    columns = tuple(registry.default().order([*sources, *mapping.constants]))
    return HeaderPlan(sources, dict(mapping.constants), columns, tuple(issues), tuple(blank))


def header_fields(mapping: Mapping | None = None) -> Callable[[object], str | None]:
    """header -> the field it maps to as plan_headers resolves it; None for a blank, ignored or unknown one."""
    mapping = mapping or Mapping()
    mapped: dict[str, str | None] = {header_key(h): f for h, f in mapping.columns.items()}
    mapped.update(dict.fromkeys(map(header_key, mapping.ignore)))

    def field_of(header: object) -> str | None:
        key = header_key(header if isinstance(header, str) else cell_text(header))
        return None if not key else mapped[key] if key in mapped else _known().get(key)
    return field_of


def apply_plan(raw: pd.DataFrame, plan: HeaderPlan) -> pd.DataFrame:
    """The canonical frame: planned columns, every value a str, the input's index."""
    data = {c: _texts(raw.iloc[:, plan.sources[c]]) if c in plan.sources else
            pd.array(pa.repeat(plan.constants[c], len(raw)), dtype="str") for c in plan.columns}
    return pd.DataFrame(data, index=raw.index.copy(), columns=list(plan.columns), dtype="str", copy=False)


def blank_header_issues(raw: pd.DataFrame, plan: HeaderPlan) -> list[Issue]:
    """A warning per header-less column that holds a value (an empty one is ignored in silence)."""
    return [issue(None, f"(empty header, column {p + 1})", "", "unknown-column",
                  f"column {p + 1} has values but no header; its values are not delivered")
            for p in plan.blank if (_texts(raw.iloc[:, p]) != "").any()]


def map_columns(raw: pd.DataFrame, mapping: Mapping | None = None) -> tuple[pd.DataFrame, list[Issue]]:
    """The canonical frame of a raw frame, and the header issues (unknown columns)."""
    plan = plan_headers(list(raw.columns), mapping)
    return apply_plan(raw, plan), [*plan.issues, *blank_header_issues(raw, plan)]


def _texts(column: pd.Series) -> Any:
    """The column's values as text, "" where one is missing; a "str" column without one is kept (no copy)."""
    if column.dtype == "str" and not column.hasnans:
        return column.array.copy()  # a new array object on the same immutable Arrow data
    if not pd.api.types.is_string_dtype(column.dtype) or column.dtype == object:
        column = column.map(cell_text)
    return column.fillna("").to_numpy(dtype=object)


def _unknown(header: str) -> Issue:
    known = _known()
    close = dict.fromkeys(known[k] for k in difflib.get_close_matches(header_key(header), list(known), n=3))
    hint = f"did you mean {', '.join(close)}?" if close else "map it in the mapping file's columns"
    return issue(None, header, "", "unknown-column", f"column {header!r} maps to no field and is not delivered; {hint}")


def _check(mapping: Mapping) -> None:
    """The registry checks for a Mapping built in code (a loaded one has passed them already)."""
    for name in [*mapping.columns.values(), *mapping.constants, *mapping.units]:
        if name not in registry.default():
            close = difflib.get_close_matches(str(name).upper(), registry.default().columns, n=3)
            raise MappingError(f"mapping: {name!r} is not a field" + (f"; did you mean {', '.join(close)}?" if close else ""))
