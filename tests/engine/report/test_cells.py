"""Cells of the kit's CSV files: no spreadsheet formula, numbers and names as they are."""
from __future__ import annotations

import csv
import io

import pytest

from autograder.engine.report.cells import SafeWriter, safe_cell, starts_formula


@pytest.mark.parametrize("cell,written", [
    ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
    ("-1+2", "'-1+2"), ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("-1.5", "-1.5"), ("+3", "+3"), ("-2e-3", "-2e-3"), ("-", "-"), ("김하늘", "김하늘"), ("Kim -Ha", "Kim -Ha"),
    (54.0, 54.0), (-3, -3),
])
def test_text_that_starts_a_formula_gets_an_apostrophe_and_numbers_stay(cell, written):
    """OWASP's rule: does a cell starting with = + - @ tab or CR become text, while a number, the
    LMSs' '-' (no grade) and an ordinary name stay as they are?"""
    assert safe_cell(cell) == written
    assert not starts_formula(str(safe_cell(cell)))


def test_the_writer_applies_it_to_every_cell():
    buf = io.StringIO()
    SafeWriter(buf).writerows([["=1+1", "-4", "ok"], ["@x", "3", "-"]])
    assert list(csv.reader(io.StringIO(buf.getvalue()))) == [["'=1+1", "-4", "ok"], ["'@x", "3", "-"]]
