"""alphaimport: turn messy exports into correct Collectmaxx import files.

    read(source) -> map -> normalise -> validate(profile) -> write(format)
"""
from __future__ import annotations

from alphaimport.errors import (
    AlphaImportError, LedgerError, MappingError, ProfileError, ReadError, RegistryError,
    UnsafeInput, UnsupportedFormat, WriteError,
)
from alphaimport.issues import Issue
from alphaimport.profile import Profile
from alphaimport.registry import FieldSpec, Registry

__version__ = "0.1.0"
__all__ = [
    "AlphaImportError", "FieldSpec", "Issue", "LedgerError", "MappingError", "Profile", "ProfileError",
    "ReadError", "Registry", "RegistryError", "UnsafeInput", "UnsupportedFormat", "WriteError",
]
