"""Every CSV the platform writes goes through `csv_writer`: cells that a spreadsheet would run as a
formula are neutralised (OWASP's CSV-injection rule).

A text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with a single
quote, so `=HYPERLINK(...)` arrives in Excel or LibreOffice as the text it is. Numbers are written as
numbers (a negative value stays a number); only text is touched.
"""
import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """The value as a spreadsheet will take it at face value."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(fileobj, *args, **kwargs) -> _SafeWriter:
    """`csv.writer` whose rows carry no spreadsheet formulas."""
    return _SafeWriter(csv.writer(fileobj, *args, **kwargs))
