"""Import of a directory from CSV, XLSX, GeoJSON or GeoPackage (the formats that
:mod:`territoire.rendu.exports` writes, and the spreadsheets students make)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from territoire._errors import WorkspaceError
from territoire.dossier.tables import DEFAULT_DIALECT, Table, read_table, table_from_records
from territoire.dossier.workspace import (
    ACTOR_ALIASES,
    ACTOR_COLUMNS,
    RELATION_ALIASES,
    RELATION_COLUMNS,
    Workspace,
)

FORMATS = ("csv", "xlsx", "geojson", "gpkg")
LAYER_FIELD = "couche"


def format_of(path: Path, explicit: str | None = None) -> str:
    """Format from an explicit name or from the file extension."""
    fmt = (explicit or path.suffix.lstrip(".")).lower()
    fmt = {"json": "geojson", "xls": "xlsx", "gpkg": "gpkg", "geopackage": "gpkg"}.get(fmt, fmt)
    if fmt not in FORMATS:
        raise WorkspaceError(
            f"format « {fmt or path.suffix} » inconnu : choisissez parmi {', '.join(FORMATS)} "
            "(ou donnez au fichier l'extension correspondante)"
        )
    return fmt


def relations_csv_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}_relations{path.suffix or '.csv'}")


# --------------------------------------------------------------------------- import


@dataclass
class Exchange:
    """Tables read from an exchange file."""

    actors: Table
    relations: Table


def read_exchange(path: str | Path, fmt: str | None = None) -> Exchange:
    """Read actors and relations from a CSV, XLSX, GeoJSON or GeoPackage file."""
    path = Path(path)
    if not path.exists():
        raise WorkspaceError(f"fichier introuvable : {path}")
    fmt = format_of(path, fmt)
    if fmt == "csv":
        actors = read_table(path, ACTOR_COLUMNS, ACTOR_ALIASES, decimal_columns=("latitude", "longitude"))
        second = relations_csv_path(path)
        relations = (
            read_table(second, RELATION_COLUMNS, RELATION_ALIASES)
            if second.exists()
            else table_from_records([], RELATION_COLUMNS)
        )
        return Exchange(actors, relations)
    if fmt == "xlsx":
        sheets = _read_xlsx(path)
        actor_sheet = _pick_sheet(sheets, ("acteurs", "annuaire", "structures"), first=True)
        relation_sheet = _pick_sheet(sheets, ("relations", "partenariats", "liens"), first=False)
        return Exchange(
            _table_from_frame(actor_sheet, ACTOR_COLUMNS, ACTOR_ALIASES),
            _table_from_frame(relation_sheet, RELATION_COLUMNS, RELATION_ALIASES),
        )
    return _read_geo(path, fmt)


def _read_xlsx(path: Path) -> dict[str, pd.DataFrame]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise WorkspaceError(f"impossible de lire le classeur {path} : {exc}") from None
    sheets = {}
    for sheet in book.worksheets:
        rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        rows = [r for r in rows if any(c.strip() for c in r)]
        if not rows:
            sheets[sheet.title] = pd.DataFrame(dtype=object)
            continue
        header = rows[0]
        width = max(len(r) for r in rows)
        keep = [j for j in range(width) if (j < len(header) and header[j].strip()) or any(j < len(r) and r[j].strip() for r in rows[1:])]
        names = [header[j].strip() if j < len(header) and header[j].strip() else f"colonne_{j + 1}" for j in keep]
        data = [[r[j] if j < len(r) else "" for j in keep] for r in rows[1:]]
        sheets[sheet.title] = pd.DataFrame(data, columns=names, dtype=object)
    book.close()
    return sheets


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _pick_sheet(sheets: dict[str, pd.DataFrame], names: Sequence[str], *, first: bool) -> pd.DataFrame:
    from territoire._text import name_key

    for title, frame in sheets.items():
        if name_key(title) in names:
            return frame
    if first and sheets:
        return next(iter(sheets.values()))
    return pd.DataFrame(dtype=object)


def _table_from_frame(frame: pd.DataFrame, known, aliases) -> Table:
    from territoire.dossier.tables import map_headers

    frame = frame.astype(object).where(frame.notna(), "") if len(frame.columns) else pd.DataFrame(dtype=object)
    columns = map_headers(list(frame.columns), known, aliases)
    return Table(frame.reset_index(drop=True), columns, [i + 2 for i in range(len(frame))], DEFAULT_DIALECT, None, tuple(known))


def _read_geo(path: Path, fmt: str) -> Exchange:
    import geopandas as gpd
    import pyogrio

    def clean(frame) -> pd.DataFrame:
        data = pd.DataFrame(frame.drop(columns=[c for c in (frame.geometry.name, LAYER_FIELD) if c in frame.columns]))
        return data.astype(object).where(data.notna(), "").astype(str)

    try:
        if fmt == "gpkg":
            names = {name for name, _kind in pyogrio.list_layers(path)}
            actors = gpd.read_file(path, layer="acteurs") if "acteurs" in names else gpd.read_file(path)
            relations = gpd.read_file(path, layer="relations") if "relations" in names else None
        else:
            layers = _read_geojson(path)
            actors = layers.get("acteurs", layers.get("", next(iter(layers.values()))))
            relations = layers.get("relations")
    except Exception as exc:
        raise WorkspaceError(f"impossible de lire {path} : {exc}") from None
    actor_frame = clean(actors).dropna(axis=1, how="all")
    if relations is not None and len(relations):
        relation_frame = clean(relations)
        relation_frame = relation_frame[[c for c in relation_frame.columns if (relation_frame[c] != "").any() or c in RELATION_COLUMNS]]
    else:
        relation_frame = pd.DataFrame(columns=list(RELATION_COLUMNS), dtype=object)
    actor_frame = actor_frame[[c for c in actor_frame.columns if (actor_frame[c] != "").any() or c in ACTOR_COLUMNS]]
    # Fill latitude/longitude from the points when the columns are absent (plain GIS files).
    if "latitude" not in actor_frame.columns and len(actors):
        points = actors.geometry.to_crs("EPSG:4326") if actors.crs else actors.geometry
        actor_frame["latitude"] = [f"{p.y:.6f}" if p is not None and not p.is_empty else "" for p in points]
        actor_frame["longitude"] = [f"{p.x:.6f}" if p is not None and not p.is_empty else "" for p in points]
    return Exchange(
        _table_from_frame(actor_frame.reset_index(drop=True), ACTOR_COLUMNS, ACTOR_ALIASES),
        _table_from_frame(relation_frame.reset_index(drop=True), RELATION_COLUMNS, RELATION_ALIASES),
    )


def _read_geojson(path: Path) -> dict:
    """GeoJSON read as text properties, one frame per ``couche`` (a GIS reader would
    turn dates and codes into numbers)."""
    import json

    import geopandas as gpd
    from shapely.geometry import shape

    data = json.loads(path.read_text(encoding="utf-8-sig"))
    features = data.get("features", []) if data.get("type") == "FeatureCollection" else [data]
    groups: dict[str, list[dict]] = {}
    for feature in features:
        layer = str((feature.get("properties") or {}).get(LAYER_FIELD, ""))
        groups.setdefault(layer, []).append(feature)
    frames = {}
    for layer, members in groups.items():
        columns: list[str] = []
        for feature in members:
            for key in feature.get("properties") or {}:
                if key not in columns:
                    columns.append(key)
        rows = [{k: _cell_text((f.get("properties") or {}).get(k)) for k in columns} for f in members]
        geometries = [shape(f["geometry"]) if f.get("geometry") else None for f in members]
        frames[layer] = gpd.GeoDataFrame(
            pd.DataFrame(rows, columns=columns, dtype=object), geometry=geometries, crs="EPSG:4326"
        )
    if not frames:
        frames[""] = gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
    return frames


@dataclass
class ImportReport:
    added: int
    updated: int
    skipped: list[str]
    relations_added: int
    relations_skipped: int
    new_columns: list[str]


def import_directory(workspace: Workspace, path: str | Path, fmt: str | None = None, *, update: bool = False) -> ImportReport:
    """Merge an exchange file into the workspace (actors by id, relations by content).

    New actors are appended; an actor whose id already exists is left as it is
    (listed in ``skipped``) unless ``update`` is true, in which case the imported
    non-empty cells replace the old ones. Unknown columns are added. Both files are
    written atomically at the end; nothing is written when reading fails.
    """
    from territoire._text import slugify
    from territoire.dossier.edition import unique_id

    incoming = read_exchange(path, fmt)
    actors = workspace.actors.copy()
    relations = workspace.relations.copy()
    before = set(actors.frame.columns)
    ids = actors.get("id").astype(str).str.strip().tolist()
    position = {ident: i for i, ident in enumerate(ids)}
    added = updated = 0
    skipped: list[str] = []
    header_of = dict(incoming.actors.columns.items())
    canonical_of = {header: canonical for canonical, header in header_of.items()}
    for record in incoming.actors.frame.to_dict(orient="records"):
        row = {canonical_of.get(k, k): ("" if v is None else str(v)) for k, v in record.items()}
        ident = row.get("id", "").strip()
        if not ident:
            ident = unique_id(slugify(row.get("nom", "") or "acteur"), ids)
            row["id"] = ident
        if ident in position:
            if not update:
                skipped.append(ident)
                continue
            at = position[ident]
            for key, value in row.items():
                if value == "":
                    continue
                header = actors.header(key) if key in actors.known else key
                if header not in actors.frame.columns:
                    actors.frame[header] = ""
                actors.frame.at[at, header] = value
            updated += 1
            continue
        actors.append(row)
        ids.append(ident)
        position[ident] = len(ids) - 1
        added += 1
    rel_canonical = {header: canonical for canonical, header in incoming.relations.columns.items()}
    key_columns = ("source", "cible", "type", "debut", "fin")
    existing = {
        tuple(str(relations.get(c).iloc[i]).strip() for c in key_columns) for i in range(len(relations.frame))
    }
    rel_added = rel_skipped = 0
    for record in incoming.relations.frame.to_dict(orient="records"):
        row = {rel_canonical.get(k, k): ("" if v is None else str(v)) for k, v in record.items()}
        key = tuple(row.get(c, "").strip() for c in key_columns)
        if key in existing:
            rel_skipped += 1
            continue
        relations.append(row)
        existing.add(key)
        rel_added += 1
    workspace.save_actors(actors)
    workspace.save_relations(relations)
    return ImportReport(
        added, updated, skipped, rel_added, rel_skipped, [c for c in actors.frame.columns if c not in before]
    )
