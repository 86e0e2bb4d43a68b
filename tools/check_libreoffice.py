"""Open alphaimport's XLSX and ODS output with LibreOffice (a third independent reader) and check that
every cell is text. Needs `soffice` (Debian: libreoffice-calc-nogui); not part of the test suite, which
checks the same files with openpyxl and pandas' ODS reader.

    python tools/check_libreoffice.py
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

from alphaimport.formats import ods, xlsx

COLUMNS = ["IDENTIFICATION_IDENTIFIER", "PERSON_FAMILYNAME", "CONTACT_PHONENUMBER_1"]
RECORDS = [["=1+1", "00123", "1234"], ["a;b", 'say "hi"', "\u00e9\U0001F600"], ["a  b", " lead", "x\ty"]]
# LibreOffice's CSV export quotes text cells and leaves numbers bare: all quoted = all text
EXPECTED = ['"IDENTIFICATION_IDENTIFIER";"PERSON_FAMILYNAME";"CONTACT_PHONENUMBER_1"',
            '"=1+1";"00123";"1234"', '"a;b";"say ""hi""";"é😀"', '"a  b";" lead";"x\ty"']


def main() -> int:
    if shutil.which("soffice") is None:
        print("soffice not found: apt-get install libreoffice-calc-nogui", file=sys.stderr)
        return 2
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for module, name in ((xlsx, "out.xlsx"), (ods, "out.ods")):
            path = Path(tmp) / name
            with module.Writer(path, COLUMNS) as writer:
                writer.write(pd.DataFrame(RECORDS, columns=COLUMNS))
            subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to",
                            "csv:Text - txt - csv (StarCalc):59,34,76,1", "--outdir", tmp, str(path)],
                           check=True, capture_output=True, timeout=120)
            lines = (Path(tmp) / "out.csv").read_text(encoding="utf-8").splitlines()
            ok = lines == EXPECTED
            failures += not ok
            print(f"{name}: {'every cell text, values exact' if ok else f'DIFFERENT: {lines}'}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
