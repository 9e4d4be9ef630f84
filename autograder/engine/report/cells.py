"""Cells of every CSV the kit writes, safe to open in a spreadsheet.

A student's Moodle name is the student's own text.  A cell that begins with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is read by Excel, LibreOffice and Google Sheets as a formula
(``=HYPERLINK(...)`` in a grade sheet is a phishing link; ``-1+...`` is arithmetic).  OWASP's rule
(CSV injection): such a cell gets a leading apostrophe, which spreadsheets show as text.  A number
(``-1.5``, ``+3``) stays a number, so grades and negative values import as they are, and so does a
lone ``-``, the LMSs' "no grade" (no spreadsheet reads it as a formula).
"""
from __future__ import annotations

import csv
import re

#: A cell's first character that makes a spreadsheet read it as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|-")


def safe_cell(value: object) -> object:
    """``value`` as a CSV cell no spreadsheet runs: text starting like a formula gets a leading apostrophe."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START) or _NUMBER.fullmatch(value):
        return value
    return "'" + value


def starts_formula(cell: str) -> bool:
    """Would a spreadsheet read ``cell`` as a formula?  (What tests check every written cell for.)"""
    return cell.startswith(FORMULA_START) and not _NUMBER.fullmatch(cell)


class SafeWriter:
    """``csv.writer`` whose every cell passes through :func:`safe_cell`."""

    def __init__(self, stream, **options):
        self._writer = csv.writer(stream, **options)

    def writerow(self, row) -> None:
        self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)
