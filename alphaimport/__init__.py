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
from alphaimport.read import read
from alphaimport.registry import FieldSpec, Registry
from alphaimport.validate import Result, validate

__version__ = "0.1.0"


__all__ = [
    "AlphaImportError", "FieldSpec", "Issue", "LedgerError", "MappingError", "OptionError", "Profile",
    "ProfileError", "ReadError", "Registry", "RegistryError", "UnsafeInput", "UnsupportedFormat", "WriteError",
    "Result", "read", "validate", "write",
]
