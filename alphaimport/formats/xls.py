"""XLS (Excel 97-2003, BIFF8): read with python-calamine; never written (no maintained writer exists).

An .xls holds at most 65,536 rows and 256 columns. A password-protected .xls is refused with a message;
an .xls that is really an XLSX, an ODS or an encrypted XLSX is recognised by its content and read (or
refused) as what it is. Formulas give the value cached in the file; macros never run.
"""
from __future__ import annotations

# the same calamine reading and cell-range guard as XLSX
from alphaimport.formats.xlsx import read, read_chunks  # noqa: F401 (the format contract)

NAME = "xls"
EXTENSIONS = (".xls",)
