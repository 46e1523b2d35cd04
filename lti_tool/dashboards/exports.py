"""Tables as files a trainer opens in a spreadsheet: CSV (UTF-8 with BOM, ``,`` or ``;``) and XLSX."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook

SEPARATORS = {"comma": ",", "semicolon": ";"}


def to_csv(header: Sequence[str], rows: Iterable[Sequence], separator: str = ",") -> bytes:
    """The BOM lets Excel read the accents; ``;`` is what French Excel expects."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(title: str, header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
