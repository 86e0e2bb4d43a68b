"""Fatal problems: the command could not run (exit status 2).

Data problems are never exceptions: they are :class:`alphaimport.issues.Issue` rows.

    AlphaImportError
    ├── RegistryError      (ValueError)  matrix.yaml is broken
    ├── ProfileError       (ValueError)  unknown or missing medium/service
    ├── OptionError        (ValueError)  a bad option: client code, date, format
    ├── MappingError       (ValueError)  a mapping file that cannot be used
    ├── ReadError          (ValueError)  an input that cannot be read
    │   ├── UnsupportedFormat            no reader for this file
    │   └── UnsafeInput                  refused: zip bomb, DTD/entities, too large
    ├── WriteError         (OSError)     an output that cannot be written
    └── LedgerError        (OSError)     the ledger cannot be opened or is locked
"""
from __future__ import annotations


class AlphaImportError(Exception):
    """Base of every fatal alphaimport error; its message is one line for the user."""


class RegistryError(AlphaImportError, ValueError):
    """matrix.yaml is missing, malformed or inconsistent."""


class ProfileError(AlphaImportError, ValueError):
    """A profile names no medium or service, or an unknown one."""


class OptionError(AlphaImportError, ValueError):
    """A command option or argument that cannot be used (client code, date, output format)."""


class MappingError(AlphaImportError, ValueError):
    """A mapping file or column mapping that cannot be used."""


class ReadError(AlphaImportError, ValueError):
    """An input file that cannot be read."""


class UnsupportedFormat(ReadError):
    """No reader for this file's extension or content."""


class UnsafeInput(ReadError):
    """An input refused for safety: zip bomb, DTD or entities, over-large content."""


class WriteError(AlphaImportError, OSError):
    """An output file that cannot be written."""


class LedgerError(AlphaImportError, OSError):
    """The delivery ledger cannot be opened, or stays locked."""
