"""Catalog files: ``catalog/products.csv`` (or a JSON list) read into products and rejected rows.

A CSV file is read the way spreadsheets save it: UTF-8 with or without a
BOM, ``,`` or ``;`` between values (whichever the header line uses), quoted
values across lines. A problem with the file as a whole (not UTF-8, an
unknown or missing column) rejects the file with a
:class:`~theke.errors.BotFolderError`; a bad row is skipped and reported
with its line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from theke.commerce._files import read_text
from theke.commerce.jsonfile import read_json
from theke.commerce.products import Product
from theke.commerce.rows import COLUMNS, ProductFile, RowError, check_columns, collect, to_row
from theke.errors import BotFolderError

if TYPE_CHECKING:
    import _csv

__all__ = ["read_products", "write_products"]

_DELIMITERS = (",", ";", "\t")


def read_products(path: Path) -> ProductFile:
    """The products in ``path``: CSV, or JSON when the name ends in ``.json``."""
    if path.suffix.lower() == ".json":
        return read_json(path)
    return _read_csv(path, read_text(path))


def _read_csv(path: Path, text: str) -> ProductFile:
    header_line = text.split("\n", 1)[0]
    if not header_line.strip():
        raise BotFolderError(
            str(path), 1, "the first line is empty", "start with the header line: sku,name,..."
        )
    delimiter = max(_DELIMITERS, key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return collect(path, _rows(path, reader))
    except csv.Error as exc:
        raise BotFolderError(
            str(path), reader.line_num, f"the line cannot be read as CSV ({exc})", _CSV_FIX
        ) from exc


_CSV_FIX = "put values with commas, semicolons or line breaks in double quotes"


def _rows(path: Path, reader: _csv.Reader) -> Iterator[tuple[int, Mapping[str, object] | RowError]]:
    header = _header(next(reader))
    check_columns(path, reader.line_num, header)
    last = reader.line_num
    for cells in reader:
        start, last = last + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if any(cell.strip() for cell in cells[len(header) :]):
            problem = (
                f"the line has {len(cells)} values, but the header names {len(header)} columns"
            )
            yield start, RowError(problem, _CSV_FIX)
            continue
        yield start, dict(zip(header, cells, strict=False))


def _header(cells: Sequence[str]) -> list[str]:
    names = [cell.strip().lower() for cell in cells]
    while names and not names[-1]:  # spreadsheets leave empty columns at the end
        names.pop()
    return names


def write_products(path: Path, products: Sequence[Product], *, delimiter: str = ",") -> None:
    """Write ``products`` as a catalog CSV that :func:`read_products` reads back unchanged."""
    rows = [to_row(product) for product in products]
    extra = sorted({column for row in rows for column in row} - set(COLUMNS))
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, [*COLUMNS, *extra], delimiter=delimiter, restval="")
        writer.writeheader()
        writer.writerows(rows)
