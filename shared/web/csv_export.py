"""CSV files offices open in a spreadsheet: cells that can never turn into formulas.

A service name, a kiosk name or a running text that starts with `=`, `+`, `-` or `@` would
run as a formula when the export is opened in Excel or LibreOffice (CSV injection); such a
cell gets a leading apostrophe, which spreadsheets show as text. Numbers stay numbers.
"""
from __future__ import annotations

# A cell a spreadsheet would read as a formula starts with one of these (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as a CSV cell: None → "", a formula-like text → quoted as text."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
