"""Reading and writing the tables of a workspace the way spreadsheets really write them.

- separator ``;``, ``,`` or tab, detected from the header line;
- UTF-8 with or without BOM, or Windows-1252 (French Excel), detected from the bytes;
- decimal commas in coordinates;
- trailing empty rows and empty unnamed columns dropped;
- headers matched to the known columns whatever their case, accents or spacing,
  and every other column kept as it is.

A :class:`Table` keeps every cell as text, in the file's order, with the line number
of each row (for error messages) and the dialect it was read in, so that writing it
back changes nothing but what was edited. Writes are atomic.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from territoire._errors import WorkspaceError
from territoire._io import atomic_write_bytes
from territoire._text import name_key

_DECIMAL_COMMA = re.compile(r"^\s*-?\d+,\d+\s*$")


@dataclass(frozen=True)
class Dialect:
    """How a text table is written on disk."""

    encoding: str = "utf-8-sig"
    delimiter: str = ";"
    lineterminator: str = "\n"
    decimal: str = "."

    @property
    def description(self) -> str:
        names = {"utf-8-sig": "UTF-8 avec BOM", "utf-8": "UTF-8", "cp1252": "Windows-1252", "latin-1": "Latin-1"}
        seps = {";": "point-virgule", ",": "virgule", "\t": "tabulation"}
        return f"{names.get(self.encoding, self.encoding)}, séparateur {seps.get(self.delimiter, self.delimiter)}"


#: Dialect of new files: opens cleanly in French Excel and in LibreOffice.
DEFAULT_DIALECT = Dialect()


@dataclass
class Table:
    """A table of text cells with its known-column mapping and its dialect."""

    frame: pd.DataFrame
    columns: dict[str, str]
    lines: list[int] = field(default_factory=list)
    dialect: Dialect = DEFAULT_DIALECT
    path: Path | None = None
    known: tuple[str, ...] = ()

    def header(self, canonical: str) -> str:
        """Header used in the file for a known column (added at the end if missing)."""
        if canonical not in self.columns:
            self.frame[canonical] = ""
            self.columns[canonical] = canonical
        return self.columns[canonical]

    def get(self, canonical: str) -> pd.Series:
        """Cells of a known column (empty strings when the file lacks it)."""
        header = self.columns.get(canonical)
        if header is None:
            return pd.Series([""] * len(self.frame), index=self.frame.index, dtype=object)
        return self.frame[header]

    def line_of(self, position: int) -> int | None:
        return self.lines[position] if position < len(self.lines) else None

    @property
    def extra_columns(self) -> list[str]:
        known = set(self.columns.values())
        return [c for c in self.frame.columns if c not in known]

    def append(self, row: Mapping[str, object]) -> None:
        """Append one row given by known column names or file headers."""
        values: dict[str, str] = {}
        for key, value in row.items():
            header = self.header(key) if key in self.known else self.columns.get(key, key)
            if header not in self.frame.columns:
                self.frame[header] = ""
            values[header] = "" if value is None else str(value)
        new = pd.DataFrame([{c: values.get(c, "") for c in self.frame.columns}], dtype=object)
        self.frame = pd.concat([self.frame, new], ignore_index=True) if len(self.frame) else new
        self.lines.append(None)  # type: ignore[arg-type]

    def copy(self) -> Table:
        return replace(self, frame=self.frame.copy(), columns=dict(self.columns), lines=list(self.lines))


def _header_key(text: str) -> str:
    return name_key(text).replace(" ", "_")


def map_headers(headers: Sequence[str], known: Sequence[str], aliases: Mapping[str, str]) -> dict[str, str]:
    """Known column → header, matching case-, accent- and spacing-insensitively."""
    keys = {_header_key(k): k for k in known}
    keys.update({_header_key(a): c for a, c in aliases.items()})
    mapping: dict[str, str] = {}
    for header in headers:
        canonical = keys.get(_header_key(header))
        if canonical and canonical not in mapping:
            mapping[canonical] = header
    return mapping


def detect_encoding(raw: bytes) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        raw.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def detect_delimiter(text: str) -> str:
    """Separator of the header line: the most frequent of ``;``, ``,`` and tab outside quotes."""
    first = text.split("\n", 1)[0]
    first = re.sub(r'"[^"]*"', "", first)
    counts = {sep: first.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ";"


def parse_text(text: str, delimiter: str) -> tuple[list[str], list[list[str]], list[int]]:
    """Header, rows and the file line where each row starts."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    lines: list[int] = []
    header: list[str] | None = None
    previous = 0
    for row in reader:
        start = previous + 1
        previous = reader.line_num
        if header is None:
            if not any(cell.strip() for cell in row):
                continue
            header = row
            continue
        rows.append(row)
        lines.append(start)
    return header or [], rows, lines


def _clean(header: list[str], rows: list[list[str]], lines: list[int]):
    """Drop empty rows and empty unnamed columns; name unnamed columns that hold data."""
    width = max([len(header)] + [len(r) for r in rows]) if rows or header else 0
    header = header + [""] * (width - len(header))
    rows = [r + [""] * (width - len(r)) for r in rows]
    keep_rows = [i for i, r in enumerate(rows) if any(c.strip() for c in r)]
    rows = [rows[i] for i in keep_rows]
    lines = [lines[i] for i in keep_rows]
    keep_cols = [
        j for j in range(width) if header[j].strip() or any(r[j].strip() for r in rows)
    ]
    names: list[str] = []
    for j in keep_cols:
        name = header[j].strip() or f"colonne_{j + 1}"
        base, n = name, 2
        while name in names:
            name, n = f"{base} ({n})", n + 1
        names.append(name)
    data = [[r[j] for j in keep_cols] for r in rows]
    return names, data, lines


def read_table(
    path: str | Path,
    known: Sequence[str],
    aliases: Mapping[str, str] | None = None,
    *,
    decimal_columns: Iterable[str] = (),
) -> Table:
    """Read a CSV table (any of the dialects above) into a :class:`Table`."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise WorkspaceError(f"Fichier introuvable : {path}") from None
    except OSError as exc:
        raise WorkspaceError(f"Impossible de lire {path} : {exc.strerror}") from None
    encoding = detect_encoding(raw)
    text = raw.decode(encoding)
    lineterminator = "\r\n" if "\r\n" in text else "\n"
    delimiter = detect_delimiter(text.lstrip("\r\n"))
    header, rows, lines = parse_text(text, delimiter)
    names, data, lines = _clean(header, rows, lines)
    frame = pd.DataFrame(data, columns=names, dtype=object) if names else pd.DataFrame(dtype=object)
    columns = map_headers(names, known, aliases or {})
    decimal = "."
    for canonical in decimal_columns:
        header_name = columns.get(canonical)
        if header_name and frame[header_name].map(lambda v: bool(_DECIMAL_COMMA.match(v))).any():
            decimal = ","
    dialect = Dialect(encoding, delimiter, lineterminator, decimal)
    return Table(frame, columns, lines, dialect, path, tuple(known))


def table_from_records(
    records: Sequence[Mapping[str, object]], known: Sequence[str], columns: Sequence[str] | None = None
) -> Table:
    """New table with the known columns first, then any other keys of the records."""
    order = list(columns or known)
    for record in records:
        for key in record:
            if key not in order:
                order.append(key)
    data = [["" if r.get(c) is None else str(r.get(c)) for c in order] for r in records]
    frame = pd.DataFrame(data, columns=order, dtype=object)
    mapping = {c: c for c in known if c in order}
    return Table(frame, mapping, [None] * len(records), DEFAULT_DIALECT, None, tuple(known))  # type: ignore[list-item]


def to_csv_bytes(table: Table) -> tuple[bytes, list[str]]:
    """Encode a table in its dialect; falls back to UTF-8 (with BOM) when needed."""
    dialect = table.dialect
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=dialect.delimiter, lineterminator=dialect.lineterminator)
    writer.writerow(list(table.frame.columns))
    writer.writerows(table.frame.astype(object).where(table.frame.notna(), "").values.tolist())
    text = buffer.getvalue()
    notes: list[str] = []
    try:
        return text.encode(dialect.encoding), notes
    except UnicodeEncodeError:
        notes.append(
            f"Certains caractères ne s'écrivent pas en {dialect.encoding} : "
            "le fichier est réécrit en UTF-8 (avec BOM), que lisent Excel et LibreOffice."
        )
        return text.encode("utf-8-sig"), notes


def write_table(table: Table, path: str | Path | None = None) -> list[str]:
    """Write ``table`` atomically (to its own path by default); returns notes for the user."""
    target = Path(path) if path is not None else table.path
    if target is None:
        raise ValueError("no path to write the table to")
    data, notes = to_csv_bytes(table)
    try:
        atomic_write_bytes(target, data)
    except PermissionError:
        raise WorkspaceError(
            f"Impossible d'écrire {target} : le fichier est peut-être ouvert dans un tableur. "
            "Fermez-le et recommencez."
        ) from None
    return notes


def format_decimal(value: float, dialect: Dialect, digits: int = 6) -> str:
    """A coordinate written the way the file writes its decimals."""
    text = f"{round(value, digits):.{digits}f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if dialect.decimal == "," else text


def parse_decimal(text: str) -> float | None:
    """``"45,18"`` or ``"45.18"`` → 45.18; None when empty or not a number."""
    text = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None
