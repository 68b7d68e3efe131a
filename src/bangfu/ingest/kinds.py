"""What an import kind expects: its fields with the Chinese headers and synonyms people use for them.

Declared as data so the household import, later measures and the department feeds share one reader. A header
matches a field when, normalised (full-width to half-width, spaces and line breaks removed), it equals the
field's label or one of its synonyms.
"""

from dataclasses import dataclass, field

from bangfu.core.parsing import header_key


@dataclass(frozen=True)
class Field:
    """One column an import kind understands."""

    key: str                       # English identifier, e.g. "id_number"
    label: str                     # the Chinese header shown to users, e.g. "证件号码"
    synonyms: tuple[str, ...] = ()  # other headers meaning the same, e.g. ("身份证号", "公民身份号码")
    level: str = ""                # free grouping for the kind, e.g. "household" / "member" / "income"
    required: bool = False


@dataclass(frozen=True)
class ImportKind:
    """A kind of file: its name and the fields it reads."""

    name: str
    label: str
    fields: tuple[Field, ...]
    _index: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self):
        for f in self.fields:
            for name in (f.label, *f.synonyms):
                self._index.setdefault(header_key(name), f.key)

    def field(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)

    def match(self, header: str) -> str | None:
        """The field a header names, or None."""
        return self._index.get(header_key(header))
