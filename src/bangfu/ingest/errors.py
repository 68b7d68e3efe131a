"""The two kinds of problem an import reports: a file that cannot be read at all, and a problem in one row."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RowError:
    """A problem with one cell or row, where the user will look for it."""

    sheet: str
    row: int       # as Excel numbers it (1-based); 0 for the whole sheet
    column: str    # the column's header as written in the file ("" for the whole row)
    rule: str      # stable code, e.g. "id_number_as_number"
    message: str   # Chinese, for the user

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "rule": self.rule,
                "message": self.message}


class ReadError(Exception):
    """A file that cannot be read at all (wrong type, damaged, too big, no recognisable header): `message` is
    Chinese and says what the file is and what to do; a library's own words are logged, never shown."""

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule
        self.message = message


_SHARED: dict[str, str] = {}


def shared_text(text: str) -> str:
    """One object for each distinct message: a ledger with an error in every row repeats a few messages a million
    times (a bounded table: past 50,000 distinct texts, new ones are kept as they are)."""
    found = _SHARED.get(text)
    if found is not None:
        return found
    if len(_SHARED) < 50_000:
        _SHARED[text] = text
    return text
