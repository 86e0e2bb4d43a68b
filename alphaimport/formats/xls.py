"""XLS (Excel 97-2003, BIFF8): read with python-calamine; never written (no maintained writer exists).

An .xls holds at most 65,536 rows and 256 columns. A password-protected .xls is refused with a message;
an .xls that is really an XLSX, an ODS or an encrypted XLSX is recognised by its content and read (or
refused) as what it is. Formulas give the value cached in the file; macros never run.
"""
from __future__ import annotations

from typing import Iterator

import pandas as pd

from alphaimport.formats import ReadOptions, Source
from alphaimport.formats.spreadsheet import frames
from alphaimport.formats.xlsx import check_extent

NAME = "xls"
EXTENSIONS = (".xls",)


def read(source: Source, options: ReadOptions) -> pd.DataFrame:
    """The first (or the named) sheet as text, indexed by sheet row; see alphaimport.formats."""
    return next(frames(source, options, guard=check_extent))


def read_chunks(source: Source, options: ReadOptions, rows: int) -> Iterator[pd.DataFrame]:
    """The same frame in pieces of at most ``rows`` records."""
    return frames(source, options, rows, guard=check_extent)
