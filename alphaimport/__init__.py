"""alphaimport: turn messy exports into correct Collectmaxx import files.

    read(source) -> map -> normalise -> validate(profile) -> write(format)
"""
from __future__ import annotations

from alphaimport.deliver import write
from alphaimport.errors import (
    AlphaImportError, LedgerError, MappingError, ProfileError, ReadError, RegistryError,
    OptionError, UnsafeInput, UnsupportedFormat, WriteError,
)
from alphaimport.issues import Issue
from alphaimport.profile import Profile
from alphaimport.registry import FieldSpec, Registry

__version__ = "0.1.0"


def read(*args, **kwargs):  # type: ignore[no-untyped-def]
    """Read a file or DataFrame into the canonical frame; see :func:`alphaimport.read.read`."""
    from alphaimport.read import read as _read

    return _read(*args, **kwargs)


def validate(*args, **kwargs):  # type: ignore[no-untyped-def]
    """Normalise and validate a canonical frame; see :func:`alphaimport.validate.validate`."""
    from alphaimport.validate import validate as _validate

    return _validate(*args, **kwargs)


__all__ = [
    "AlphaImportError", "FieldSpec", "Issue", "LedgerError", "MappingError", "OptionError", "Profile",
    "ProfileError", "ReadError", "Registry", "RegistryError", "UnsafeInput", "UnsupportedFormat", "WriteError",
    "read", "validate", "write",
]
