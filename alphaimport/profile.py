"""A script's profile: its media and services, and the fields they make required."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from alphaimport import registry as _registry
from alphaimport.errors import ProfileError


@dataclass(frozen=True)
class Requirement:
    """A required guide column: one of ``columns`` must hold a value (several for _x fields)."""

    template: str
    columns: tuple[str, ...]
    required_by: tuple[str, ...]  # the media and services of the profile that require it


@dataclass(frozen=True, init=False)
class Profile:
    """The media and services a script is configured for ("SMS with PayLink = SMS + PayLink")."""

    media: frozenset[str]
    services: frozenset[str]

    def __init__(self, media: Iterable[str] | str | None = (), services: Iterable[str] | str | None = ()) -> None:
        registry = _registry.default()
        chosen_media = frozenset(_names(media, "media"))
        chosen_services = frozenset(_names(services, "services"))
        _check(chosen_media, registry.media, "medium")
        _check(chosen_services, registry.services, "service")
        if not chosen_media and not chosen_services:
            raise ProfileError(
                "a profile needs at least one medium (" + ", ".join(registry.media)
                + ") or service (" + ", ".join(registry.services) + ")"
            )
        object.__setattr__(self, "media", chosen_media)
        object.__setattr__(self, "services", chosen_services)

    @property
    def names(self) -> tuple[str, ...]:
        """The profile's media and services in the registry's order."""
        registry = _registry.default()
        return tuple(n for n in registry.media + registry.services if n in self.media | self.services)

    def requirements(self) -> tuple[Requirement, ...]:
        """The required guide columns of this profile, in registry order."""
        registry = _registry.default()
        chosen = set(self.names)
        found = []
        for template in registry.templates():
            specs = registry.expansion(template)
            by = tuple(n for n in self.names if n in specs[0].required_by and n in chosen)
            if by:
                found.append(Requirement(template, tuple(s.column for s in specs), by))
        return tuple(found)

    def required_by(self, column: str) -> tuple[str, ...]:
        """Which of the profile's media/services require this column (empty when optional)."""
        spec = _registry.default().field(column)
        return tuple(n for n in self.names if n in spec.required_by)

    def __str__(self) -> str:
        return "+".join(self.names)


def _names(values: Iterable[str] | str | None, argument: str) -> list[str]:
    """The names given as "sms,mail" or a collection of str; None is none."""
    if values is None:
        return []
    if isinstance(values, str):
        values = values.split(",")
    elif isinstance(values, bytes) or not isinstance(values, Iterable):
        raise TypeError(f"{argument} must be names, as a str ('sms,mail') or a collection of str, "
                        f"not {type(values).__name__} {values!r:.60}")
    names = [v for v in values if v is not None]
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"{argument} must be names (str), not {type(name).__name__} {name!r:.60}")
    return [v.strip().lower() for v in names if v.strip()]


def _check(chosen: frozenset[str], valid: tuple[str, ...], kind: str) -> None:
    unknown = sorted(chosen - set(valid))
    if unknown:
        raise ProfileError(f"unknown {kind} {', '.join(unknown)}; valid: {', '.join(valid)}")
