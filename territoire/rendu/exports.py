"""Export of a directory: CSV, XLSX, GeoJSON and GeoPackage.

Every format carries both tables (actors and relations) with every column as text,
so that export → import gives back the same cells (reading is in
:mod:`territoire.dossier.echanges`):

- CSV: ``NOM.csv`` (actors) and ``NOM_relations.csv`` beside it;
- XLSX: sheets ``acteurs`` and ``relations`` (every cell stored as text, so that
  INSEE codes keep their leading zero);
- GeoJSON: actors as points and relations as lines, told apart by the ``couche``
  property;
- GeoPackage (opens in QGIS): layers ``acteurs`` (points), ``relations`` (lines) and,
  when the coverage can be computed, ``couvertures`` (polygons, not read back).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from territoire.dossier.echanges import LAYER_FIELD, format_of, relations_csv_path
from territoire.dossier.tables import DEFAULT_DIALECT, Table, write_table
from territoire.dossier.workspace import Workspace

# --------------------------------------------------------------------------- export


def export_directory(workspace: Workspace, path: str | Path, fmt: str | None = None) -> list[Path]:
    """Write the workspace's actors and relations to ``path``; returns the files written."""
    path = Path(path)
    fmt = format_of(path, fmt)
    actors, relations = workspace.actors, workspace.relations
    if fmt == "csv":
        second = relations_csv_path(path)
        write_table(_with_dialect(actors), path)
        write_table(_with_dialect(relations), second)
        return [path, second]
    if fmt == "xlsx":
        _write_xlsx(path, {"acteurs": actors.frame, "relations": relations.frame})
        return [path]
    points, lines = _geometries(workspace)
    if fmt == "geojson":
        _write_geojson(path, actors.frame, relations.frame, points, lines)
        return [path]
    _write_gpkg(path, workspace, actors.frame, relations.frame, points, lines)
    return [path]


def _with_dialect(table: Table) -> Table:
    copy = table.copy()
    copy.dialect = DEFAULT_DIALECT
    return copy


def _geometries(workspace: Workspace):
    """Actor points (by row) and relation lines (by row), EPSG:4326."""
    from shapely.geometry import LineString

    from territoire.dossier.annuaire import load_directory

    directory = load_directory(workspace)
    actors = directory.actors
    points = [g if g is not None and not g.is_empty else None for g in actors.geometry]
    by_id = dict(zip(actors["id"], points, strict=True))
    lines = []
    for source, cible in zip(directory.relations["source"], directory.relations["cible"], strict=True):
        a, b = by_id.get(source), by_id.get(cible)
        lines.append(LineString([a, b]) if a is not None and b is not None else None)
    return points, lines


def _write_xlsx(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from territoire._io import atomic_open

    book = Workbook()
    book.remove(book.active)
    for name, frame in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append(list(frame.columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in frame.astype(object).where(frame.notna(), "").itertuples(index=False):
            sheet.append([str(v) for v in row])
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                cell.number_format = "@"  # text: codes keep their leading zeros
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            width = max((len(str(c.value or "")) for c in column[:200]), default=8)
            sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 60)
    with atomic_open(path, "wb") as handle:
        book.save(handle)


def _frame_geo(frame: pd.DataFrame, geometries, layer: str):
    import geopandas as gpd

    data = frame.astype(object).where(frame.notna(), "").astype(str)
    data.insert(0, LAYER_FIELD, layer)
    return gpd.GeoDataFrame(data, geometry=list(geometries), crs="EPSG:4326")


def _write_geojson(path: Path, actors, relations, points, lines) -> None:
    import json

    from territoire._io import atomic_write_text

    features = []
    for layer, frame, geoms in (("acteurs", actors, points), ("relations", relations, lines)):
        geo = _frame_geo(frame, geoms, layer)
        features.extend(json.loads(geo.to_json(drop_id=True))["features"])
    collection = {"type": "FeatureCollection", "name": path.stem, "features": features}
    atomic_write_text(path, json.dumps(collection, ensure_ascii=False, indent=1))


def _write_gpkg(path: Path, workspace: Workspace, actors, relations, points, lines) -> None:
    import shutil
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix=".export-", dir=path.parent if path.parent.exists() else None)) / path.name
    try:
        _frame_geo(actors, points, "acteurs").drop(columns=LAYER_FIELD).to_file(tmp, layer="acteurs", driver="GPKG")
        _frame_geo(relations, lines, "relations").drop(columns=LAYER_FIELD).to_file(tmp, layer="relations", driver="GPKG")
        areas = coverage_areas(workspace)
        if areas is not None and len(areas):
            areas.to_file(tmp, layer="couvertures", driver="GPKG")
        shutil.move(str(tmp), path)
    finally:
        shutil.rmtree(tmp.parent, ignore_errors=True)


def coverage_areas(workspace: Workspace):
    """Coverage polygon of every actor (None when the analysis module is unavailable)."""
    try:
        from territoire.analyses.contours import coverage_polygons
    except ImportError:  # pragma: no cover - coverage analysis always shipped
        return None
    return coverage_polygons(workspace)
