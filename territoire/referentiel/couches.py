"""The layers of the reference geography, read from the GeoParquet cache.

:func:`ensure_cache` builds the cache once per source version (under a file lock,
in a temporary folder first); :func:`load` and the layer functions read it, whole or
only the rows touching some départements, memoised for the process.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from territoire import settings
from territoire.referentiel.construction import CACHE_SCHEMA, LAYERS, Progress, build

#: Index name of each layer.
INDEX_NAMES = {
    "communes": "code_insee",
    "communes_infra": "code_insee",
    "epci": "siren",
    "cantons": "code_canton",
    "departements": "code_departement",
    "regions": "code_region",
}


# --------------------------------------------------------------------------- cache


def cache_dir() -> Path:
    """Folder of the cache for the installed source version."""
    return settings.referentiel_cache_dir()


def cache_ok(folder: Path) -> bool:
    try:
        meta = json.loads((folder / "meta.json").read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return meta.get("schema") == CACHE_SCHEMA and all(
        (folder / f"{name}.parquet").exists() for name in LAYERS
    )


def ensure_cache(*, rebuild: bool = False, progress: Progress | None = None) -> Path:
    """Make sure the GeoParquet cache exists (building it if needed) and return its folder.

    The build runs once per source version, under a file lock so that two commands
    started together do not build it twice; it is written to a temporary folder
    first, so an interrupted build never leaves a half-written cache behind.
    """
    from filelock import FileLock

    folder = cache_dir()
    if not rebuild and cache_ok(folder):
        return folder
    report = progress or (lambda _message: None)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder) + ".lock"):
        if not rebuild and cache_ok(folder):
            return folder
        tmp = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
        try:
            build(tmp, report)
            if folder.exists():
                shutil.rmtree(folder)
            os.replace(tmp, folder)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    _load_table.cache_clear()
    _load_rows.cache_clear()
    commune_facts.cache_clear()
    return folder


def meta() -> dict[str, Any]:
    """Metadata of the cache: source, version, vintage, counts, build time."""
    folder = ensure_cache()
    data = json.loads((folder / "meta.json").read_text("utf-8"))
    data["dossier"] = str(folder)
    return data


@cache
def _load_table(name: str, with_geometry: bool):
    """Whole layer, memoised for the process (geometry loaded only when asked)."""
    import geopandas as gpd
    import pandas as pd

    path = ensure_cache() / f"{name}.parquet"
    if with_geometry:
        return gpd.read_parquet(path)
    import pyarrow.parquet as pq

    columns = [c for c in pq.read_schema(path).names if c != "geometry"]
    table = pd.read_parquet(path, columns=columns)
    return table


def load(
    name: str,
    *,
    departements: Iterable[str] | None = None,
    geometry: bool = True,
):
    """Load one layer, optionally only the rows touching some départements.

    Returns a GeoDataFrame (EPSG:4326) when ``geometry`` is true, else a DataFrame of
    attributes. The frame is a copy: callers may modify it. An EPCI or a région
    straddling several départements is returned for each of them.
    """
    if name not in LAYERS:
        raise ValueError(f"unknown layer {name!r}")
    if departements is None:
        return _load_table(name, geometry).copy()
    wanted = sorted(set(departements))
    table = _load_table(name, False)
    if "departements" in table.columns:  # units that may straddle départements
        touched = table["departements"].str.split("|").map(lambda deps: not set(deps).isdisjoint(wanted))
        codes = table.index[touched.astype(bool)].tolist()
        key = INDEX_NAMES[name]
    elif name == "departements":
        codes, key = [c for c in wanted if c in table.index], INDEX_NAMES[name]
    else:
        codes, key = wanted, "departement"
    if not geometry:
        column = table.index if key == INDEX_NAMES[name] else table[key]
        return table[column.isin(codes)].copy()
    if not codes:
        return _load_table(name, True).iloc[0:0].copy()
    return _load_rows(name, key, tuple(codes)).copy()


@lru_cache(maxsize=64)
def _load_rows(name: str, key: str, codes: tuple[str, ...]):
    """Rows of a layer with geometry, read from the cache with a row filter (memoised)."""
    import geopandas as gpd

    path = ensure_cache() / f"{name}.parquet"
    return gpd.read_parquet(path, filters=[(key, "in", list(codes))])


def communes(*, departements: Iterable[str] | None = None, geometry: bool = True):
    """Communes (type COM), indexed by INSEE code."""
    return load("communes", departements=departements, geometry=geometry)


def epci(*, departements: Iterable[str] | None = None, geometry: bool = True):
    """EPCI à fiscalité propre, indexed by SIREN, polygons dissolved from their communes."""
    return load("epci", departements=departements, geometry=geometry)


def cantons(*, departements: Iterable[str] | None = None, geometry: bool = True):
    """Electoral cantons, indexed by canton code."""
    return load("cantons", departements=departements, geometry=geometry)


def departements(*, departements: Iterable[str] | None = None, geometry: bool = True):
    """The 101 départements, indexed by code."""
    return load("departements", departements=departements, geometry=geometry)


def regions(*, departements: Iterable[str] | None = None, geometry: bool = True):
    """The 18 régions, indexed by code."""
    return load("regions", departements=departements, geometry=geometry)


def communes_infra(*, departements: Iterable[str] | None = None, geometry: bool = True):
    """Delegated/associated communes and municipal arrondissements (never double counted)."""
    return load("communes_infra", departements=departements, geometry=geometry)


@lru_cache(maxsize=1)
def commune_facts() -> dict[str, dict[str, Any]]:
    """Per-column dictionaries of the communes layer (fast scalar lookups by code)."""
    table = communes(geometry=False)
    columns = ("nom", "departement", "epci", "region", "mairie_lon", "mairie_lat")
    index = table.index.tolist()
    return {column: dict(zip(index, table[column].tolist(), strict=True)) for column in columns}
