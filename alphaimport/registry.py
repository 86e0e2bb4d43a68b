"""The field registry: every field of the Collectmaxx import, loaded once from matrix.yaml."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from alphaimport.errors import RegistryError

MATRIX_PATH = Path(__file__).with_name("matrix.yaml")
TYPES = ("text", "phone", "email", "date", "cents", "int", "boolean", "gender", "country", "currency")
MATRIX_VALUES = ("yes", "opt")
REPEAT_MARK = "_x"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser where PyYAML has it: 10x faster
#: the form of a normalised value of each type, as delivered in files (text has no pattern)
CANONICAL_PATTERNS = {
    "phone": r"[0-9]{1,20}",  # E.164 digits without '+', as the guide's example 31107989525
    "date": r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
    "cents": r"[0-9]+",
    "int": r"-?[0-9]+",
    "boolean": r"[01]",
    "gender": r"[MFU]",
    "country": r"[A-Z]{2}",
    "currency": r"[A-Z]{3}",
    "email": r"[^@\s]+@[^@\s]+",
}
_ENTRY_KEYS = ("column", "category", "api", "type", "max_length", "repeat", "description", "required")
_OPTIONAL_KEYS = ("api_list", "unique", "future", "at_most", "personal")


@dataclass(frozen=True)
class FieldSpec:
    """One column of the delivery file (repeated fields expanded: CONTACT_PHONENUMBER_2)."""

    column: str
    template: str  # the guide's column: CONTACT_PHONENUMBER_x
    category: str
    name: str  # the field within its category: PHONENUMBER_2, DESCRIPTION
    api: str | None
    api_list: bool  # the API takes a list whose items are _1.._n (toPhoneNumbers)
    type: str
    max_length: int | None
    repeat: int
    index: int | None  # 1..repeat for repeated fields
    description: str
    required_by: frozenset[str]
    xml_path: tuple[str, str]  # (category element, field element)
    unique: bool = False  # unique within a delivery and over the history of deliveries
    future: bool = False  # a date that must lie after today
    at_most: str | None = None  # a column whose value this one may not exceed
    personal: bool = False  # personal data: masked by --redact


@dataclass(frozen=True)
class Registry:
    """All fields in registry order, with the look-ups every stage needs."""

    fields: tuple[FieldSpec, ...]
    media: tuple[str, ...]
    services: tuple[str, ...]
    guide: Mapping[str, str]
    _by_column: dict[str, FieldSpec] = field(init=False, repr=False, compare=False)
    _by_xml: dict[tuple[str, str], str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_column", {f.column: f for f in self.fields})
        object.__setattr__(self, "_by_xml", {f.xml_path: f.column for f in self.fields})

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column in registry order."""
        return tuple(f.column for f in self.fields)

    def field(self, column: str) -> FieldSpec:
        """The spec of a canonical column; KeyError names the column."""
        spec = self._by_column.get(column)
        if spec is None:
            raise KeyError(f"{column!r} is not a field of the registry")
        return spec

    def __contains__(self, column: object) -> bool:
        return column in self._by_column

    def by_category(self, category: str) -> tuple[FieldSpec, ...]:
        """The fields of one category, in registry order."""
        return tuple(f for f in self.fields if f.category == category)

    @property
    def categories(self) -> tuple[str, ...]:
        """Category names in registry order."""
        return tuple(dict.fromkeys(f.category for f in self.fields))

    def column_for_api(self, api: str, index: int = 1) -> str | None:
        """The column an API RowInput name (and list position, 1-based) maps to."""
        for f in self.fields:
            if f.api == api and (f.index is None or f.index == index):
                return f.column
        return None

    def api_name(self, column: str) -> str | None:
        """The API RowInput name of a column, or None (n/a in the matrix)."""
        return self.field(column).api

    def xml_path(self, column: str) -> tuple[str, str]:
        """(category element, field element) of a column in the <annabel> XML."""
        return self.field(column).xml_path

    def column_for_xml(self, category_element: str, field_element: str) -> str | None:
        """The column of an XML element pair, or None."""
        return self._by_xml.get((category_element, field_element))

    def order(self, columns: Iterable[str]) -> list[str]:
        """The given canonical columns in registry order."""
        wanted = set(columns)
        return [c for c in self.columns if c in wanted]

    def templates(self) -> tuple[str, ...]:
        """The guide's columns (CONTACT_PHONENUMBER_x) in registry order."""
        return tuple(dict.fromkeys(f.template for f in self.fields))

    def expansion(self, template: str) -> tuple[FieldSpec, ...]:
        """The expanded fields of one guide column."""
        return tuple(f for f in self.fields if f.template == template)


def load(path: Path | str = MATRIX_PATH) -> Registry:
    """Load and check a matrix.yaml; a broken entry raises RegistryError naming it."""
    try:
        document = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise RegistryError(f"cannot load the field registry {path}: {exc}") from exc
    if not isinstance(document, dict):
        raise RegistryError(f"{path}: expected a mapping with 'media', 'services' and 'fields'")
    media = tuple(_names(document, "media", path))
    services = tuple(_names(document, "services", path))
    entries = document.get("fields")
    if not isinstance(entries, list) or not entries:
        raise RegistryError(f"{path}: 'fields' must be a non-empty list")
    groups: list[list[FieldSpec]] = []
    numbered: dict[str, list[FieldSpec]] = {}
    for position, entry in enumerate(entries, start=1):
        expanded = _expand(_check_entry(entry, position, media + services))
        category = expanded[0].category
        if not _numbers_category(expanded[0]):
            groups.append(expanded)
        elif category in numbered:
            numbered[category].extend(expanded)
        else:
            numbered[category] = expanded
            groups.append(expanded)
    for members in numbered.values():
        # a numbered category (INVOICELINES_1_*, INVOICELINES_2_*) is ordered line by line
        members.sort(key=lambda f: f.index or 0)
    fields = [f for group in groups for f in group]
    _check_unique(fields, path)
    columns = {f.column for f in fields}
    for f in fields:
        if f.at_most is not None and f.at_most not in columns:
            raise RegistryError(f"matrix.yaml field {f.column}: at_most names no field: {f.at_most!r}")
        if f.future and f.type != "date":
            raise RegistryError(f"matrix.yaml field {f.column}: future applies to date fields only")
    return Registry(tuple(fields), media, services, dict(document.get("guide") or {}))


def _names(document: Mapping[str, Any], key: str, path: Path | str) -> list[str]:
    names = document.get(key)
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names) or not names:
        raise RegistryError(f"{path}: '{key}' must be a list of names")
    return names


def _check_entry(entry: Any, position: int, profile_names: tuple[str, ...]) -> dict[str, Any]:
    where = f"matrix.yaml field #{position}"
    if not isinstance(entry, dict):
        raise RegistryError(f"{where}: expected a mapping, got {entry!r}")
    where = f"matrix.yaml field #{position} ({entry.get('column', '?')})"
    missing = [k for k in _ENTRY_KEYS if k not in entry]
    unknown = [k for k in entry if k not in _ENTRY_KEYS + _OPTIONAL_KEYS]
    if missing or unknown:
        raise RegistryError(f"{where}: missing keys {missing}, unknown keys {unknown}")
    column, category = entry["column"], entry["category"]
    if not isinstance(column, str) or not re.fullmatch(r"[A-Z][A-Z0-9]*(_(x|[A-Z0-9]+))*", column):
        raise RegistryError(f"{where}: column must be an upper-case name, got {column!r}")
    if not isinstance(category, str) or not column.startswith(category + "_"):
        raise RegistryError(f"{where}: column must start with its category {category!r} and '_'")
    if entry["type"] not in TYPES:
        raise RegistryError(f"{where}: type {entry['type']!r} is not one of {', '.join(TYPES)}")
    max_length = entry["max_length"]
    if max_length is not None and (not isinstance(max_length, int) or max_length < 1):
        raise RegistryError(f"{where}: max_length must be a positive integer or null")
    repeat = entry["repeat"]
    if not isinstance(repeat, int) or not 1 <= repeat <= 3 or (repeat > 1) != (REPEAT_MARK in column):
        raise RegistryError(f"{where}: repeat must be 1, or 2..3 for an '_x' column")
    if entry["api"] is not None and not isinstance(entry["api"], str):
        raise RegistryError(f"{where}: api must be a name or null")
    if entry.get("api_list", False) not in (True, False) or (entry.get("api_list") and repeat == 1):
        raise RegistryError(f"{where}: api_list must be true or false, and true only for an '_x' column")
    required = entry["required"]
    if not isinstance(required, dict) or set(required) != set(profile_names):
        raise RegistryError(f"{where}: required must give exactly {', '.join(profile_names)}")
    bad = {k: v for k, v in required.items() if v not in MATRIX_VALUES}
    if bad:
        raise RegistryError(f"{where}: required values must be \"yes\" or \"opt\" (quoted), got {bad}")
    return entry


def _numbers_category(spec: FieldSpec) -> bool:
    """True for fields whose whole category repeats (INVOICELINES_x_DESCRIPTION)."""
    return spec.template.startswith(spec.category + REPEAT_MARK + "_")


def _expand(entry: dict[str, Any]) -> list[FieldSpec]:
    template: str = entry["column"]
    category: str = entry["category"]
    repeat: int = entry["repeat"]
    required_by = frozenset(k for k, v in entry["required"].items() if v == "yes")
    api_list = bool(entry.get("api_list", False))
    indices: list[int | None] = list(range(1, repeat + 1)) if repeat > 1 else [None]
    specs = []
    for index in indices:
        column = template.replace(REPEAT_MARK, f"_{index}") if index else template
        name = column[len(category) + 1:]
        category_element, field_element = category.lower(), name.lower()
        if index and template.startswith(category + REPEAT_MARK + "_"):
            category_element = f"{category.lower()}_{index}"
            field_element = template[len(category) + len(REPEAT_MARK) + 1:].lower()
            name = field_element.upper()
        specs.append(FieldSpec(
            column=column, template=template, category=category, name=name,
            # a single API name on a repeated field (toMailAddress) is the first occurrence only
            api=entry["api"] if api_list or index in (None, 1) else None, api_list=api_list,
            type=entry["type"], max_length=entry["max_length"], repeat=repeat, index=index,
            description=entry["description"], required_by=required_by,
            xml_path=(category_element, field_element),
            unique=bool(entry.get("unique", False)), future=bool(entry.get("future", False)),
            at_most=entry.get("at_most"), personal=bool(entry.get("personal", False)),
        ))
    return specs


def _check_unique(fields: list[FieldSpec], path: Path | str) -> None:
    seen: dict[str, str] = {}
    for f in fields:
        for key in (f.column, f".xml:{f.xml_path}"):
            if key in seen:
                raise RegistryError(f"{path}: {f.column} repeats {seen[key]}")
            seen[key] = f.column


@lru_cache(maxsize=1)
def default() -> Registry:
    """The registry shipped with alphaimport (matrix.yaml), loaded once."""
    return load()
