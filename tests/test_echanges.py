"""Import and export round trips, in every format."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from territoire.dossier import echanges
from territoire.dossier.workspace import Workspace
from territoire.rendu import exports
from territoire.sources import preremplissage


def _frames(exchange_or_ws):
    actors = exchange_or_ws.actors.frame.astype(str).reset_index(drop=True)
    relations = exchange_or_ws.relations.frame.astype(str).reset_index(drop=True)
    return actors, relations


@pytest.mark.parametrize("suffix", ["csv", "xlsx", "geojson", "gpkg"])
def test_import_export_import_keeps_everything(demo, tmp_path, suffix):
    first = tmp_path / f"annuaire.{suffix}"
    exports.export_directory(demo, first)
    read = echanges.read_exchange(first)
    actors, relations = _frames(read)
    original_actors, original_relations = _frames(demo)
    pd.testing.assert_frame_equal(actors, original_actors)
    pd.testing.assert_frame_equal(relations, original_relations)
    assert "priorite_stage" in actors.columns  # the student's own column

    empty = preremplissage.create_workspace(tmp_path / "vide", "200040392", prefill=False)
    report = echanges.import_directory(empty, first)
    assert report.added == len(original_actors) and report.relations_added == len(original_relations)
    second = tmp_path / f"encore.{suffix}"
    exports.export_directory(Workspace(empty.path), second)
    again_actors, again_relations = _frames(echanges.read_exchange(second))
    pd.testing.assert_frame_equal(again_actors, original_actors)
    pd.testing.assert_frame_equal(again_relations, original_relations)


def test_import_twice_adds_nothing_and_update_replaces(demo, tmp_path):
    path = tmp_path / "a.xlsx"
    exports.export_directory(demo, path)
    report = echanges.import_directory(demo, path)
    assert report.added == 0 and len(report.skipped) == len(demo.actors.frame)
    assert report.relations_added == 0


def test_geopackage_layers_open_in_gis(demo, tmp_path):
    import geopandas as gpd
    import pyogrio

    path = tmp_path / "annuaire.gpkg"
    exports.export_directory(demo, path)
    layers = dict(pyogrio.list_layers(path))
    assert layers["acteurs"] == "Point"
    assert layers["relations"] == "LineString"
    actors = gpd.read_file(path, layer="acteurs")
    assert actors.crs.to_epsg() == 4326
    assert actors.geometry.notna().all()


def test_unknown_format_is_refused(demo, tmp_path):
    from territoire._errors import WorkspaceError

    with pytest.raises(WorkspaceError, match="format"):
        exports.export_directory(demo, tmp_path / "a.docx")


def test_wheel_ships_the_demo_and_schemas(tmp_path):
    """The demo must work from an installed wheel, not only from a checkout."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), str(root)],
        capture_output=True, text=True,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    wheel = next(tmp_path.glob("territoire-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "territoire/_data/demo/acteurs.csv",
        "territoire/_data/demo/relations.csv",
        "territoire/_data/demo/territoire.toml",
        "territoire/_data/demo/zones/quartiers-tilleuls.geojson",
        "territoire/_data/schemas/vocabulaires.toml",
    ):
        assert needed in names
