"""Maps: content of the HTML pages, static images, placement area."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from territoire.cli import main
from territoire.dossier.annuaire import load_directory
from territoire.dossier.edition import add_actor
from territoire.referentiel import selection
from territoire.rendu.cartes import preparation as cartes
from territoire.rendu.cartes.interactive import (
    actors_map_html,
    boundaries_map_html,
    placement_map_html,
)
from territoire.rendu.cartes.statique import (
    FIGSIZE,
    actors_map_image,
    boundaries_map_image,
    placement_map_image,
)

XSS = "<img src=x onerror=alert(1)>"


def marker_rows(page: str) -> list:
    """The actor markers written into a map page (lat, lon, icon, popup, tooltip)."""
    rows = []
    for match in re.finditer(r"var layer = \w+;\s*(\[)", page):
        rows += json.JSONDecoder().raw_decode(page, match.start(1))[0]
    return rows


@pytest.fixture(scope="module")
def demo_map(demo_session):
    return cartes.prepare_actors_map(demo_session, domaine="mobilite")


def test_actors_map_html_content(demo_session, demo_map):
    page = actors_map_html(demo_map, fond="aucun")
    directory = load_directory(demo_session)
    located = directory.actors[directory.actors.geometry.notna()]
    mobility = located[located["domaines"].map(lambda d: "mobilite" in d)]
    # one marker (with its popup) per actor shown
    rows = marker_rows(page)
    assert len(rows) == len(mobility) == len(demo_map.actors)
    assert sorted(r[4] for r in rows) == sorted(html.escape(n) for n in mobility["nom"])
    # layers by name
    for name in ("Couverture — Mobilité", "Intercommunalités (EPCI)", "Départements", "Acteurs"):
        assert json.dumps(name) in page  # names reach Leaflet as JSON strings
    # one tooltip per commune of the territory, from the GeoJSON features
    assert page.count('"_infobulle"') >= len(demo_session.territory().communes)
    # legend
    assert "Légende" in page and "aucun acteur (zone blanche)" in page and "Associations" in page
    # offline: Leaflet inline, nothing fetched from a CDN
    assert "L.map(" in page and "Leaflet" in page and "MarkerClusterGroup" in page
    assert not re.search(r'<script[^>]*src="https?://', page)
    assert not re.search(r'<link[^>]*href="https?://', page)
    assert "jsdelivr" not in page and "code.jquery" not in page
    assert "<html lang=\"fr\">" in page


def test_gaps_stand_out_and_overlaps_are_marked(demo_session):
    data = cartes.prepare_actors_map(demo_session, domaine="trouver-un-emploi")
    overlapping = data.communes[data.communes["chevauchements"].map(bool)]
    assert "24557" in overlapping.index  # Trélissac: two France Travail agencies
    page = actors_map_html(data, fond="aucun")
    assert "Chevauchement : France Travail" in page
    mobility = cartes.prepare_actors_map(demo_session, domaine="mobilite")
    assert (mobility.communes["acteurs"] == 0).sum() > 0


def test_user_text_is_escaped(demo, tmp_path):
    add_actor(demo, {"nom": XSS, "type": "ASSO", "commune": "Vergt", "notes": "a & b </script>"}, force=True)
    page = actors_map_html(cartes.prepare_actors_map(demo), fond="aucun")
    assert XSS not in page and "</script> a" not in page
    # escaped once as HTML, then written as a JSON string for Leaflet (the way
    # Jinja's tojson writes it: <, >, & and ' as \u escapes)
    from jinja2.utils import htmlsafe_json_dumps

    assert str(htmlsafe_json_dumps("<b>&lt;img src=x onerror=alert(1)&gt;</b>"))[1:-1] in page
    assert str(htmlsafe_json_dumps("a &amp; b &lt;/script&gt;"))[1:-1] in page


def test_placement_area_distances(demo_session):
    area = cartes.prepare_placement_area("Périgueux", 10, workspace=demo_session)
    assert area.communes.index[0] == "24322"
    assert area.communes["distance_km"].is_monotonic_increasing
    inside = area.communes[area.communes["dans_le_rayon"]]
    assert (inside["distance_km"] <= 10).all()
    assert (area.actors["distance_km"] <= 10).all()
    assert area.actors["distance_km"].is_monotonic_increasing
    no_workspace = cartes.prepare_placement_area("45,184, 0,716", 5)
    assert no_workspace.actors_from == "référentiel"
    assert all(n.startswith("Mairie de ") for n in no_workspace.actors["nom"])
    page = placement_map_html(area, fond="aucun")
    assert "Rayon de 10" in page or "rayon de 10" in page
    # every actor of the area is drawn, its tooltip giving its distance
    tips = [r[4] for r in marker_rows(page)]
    assert len(tips) == len(area.actors)
    first = area.actors.iloc[0]
    assert tips[0] == f"{html.escape(first['nom'])} — {str(round(first['distance_km'], 1)).replace('.', ',')} km"


@pytest.mark.parametrize("text", ["0.72,45.18", "50,50", "Perigeux"])
def test_placement_bad_sites(text):
    from territoire._errors import TerritoireError

    with pytest.raises(TerritoireError):
        cartes.prepare_placement_area(text, 10)


@pytest.mark.parametrize("code", ["24", "2A", "974"])
def test_boundaries_map_any_departement(code):
    territory = selection.resolve(code, "departement")
    data = cartes.prepare_boundaries_map(territory, ["communes", "cantons", "epci", "departements"])
    assert len(data.layers["communes"]) == len(territory.communes)
    assert len(data.layers["departements"]) == 1
    page = boundaries_map_html(data, fond="aucun")
    for label in ("Communes", "Cantons", "Intercommunalités (EPCI)", "Départements"):
        assert label in page
    assert len(page.encode()) < 5_000_000


def test_boundaries_levels_and_notes():
    from territoire._errors import TerritoireError

    paris = cartes.prepare_boundaries_map(selection.resolve("75", "departement"), ["communes", "arrondissements"])
    assert len(paris.layers["arrondissements"]) == 20
    assert any("départementaux" in n for n in paris.notes)
    with pytest.raises(TerritoireError, match="niveau"):
        cartes.prepare_boundaries_map(selection.resolve("24", "departement"), ["quartiers"])


def _image_checks(path, dpi):
    image = Image.open(path).convert("RGB")
    assert image.size == (round(FIGSIZE[0] * dpi), round(FIGSIZE[1] * dpi))
    pixels = np.asarray(image).reshape(-1, 3)
    assert pixels.std() > 20  # not blank
    assert len(np.unique(pixels[::7], axis=0)) > 30  # drawn with many colours


def test_static_maps_png_svg_pdf(demo_map, tmp_path):
    png = actors_map_image(demo_map, tmp_path / "carte.png", dpi=80)
    _image_checks(png, 80)
    svg = actors_map_image(demo_map, tmp_path / "carte.svg")
    assert ET.parse(svg).getroot().tag.endswith("svg")
    pdf = actors_map_image(demo_map, tmp_path / "carte.pdf")
    assert pdf.read_bytes()[:4] == b"%PDF"
    dep = cartes.prepare_boundaries_map(selection.resolve("24", "departement"), ["communes", "epci", "departements"])
    _image_checks(boundaries_map_image(dep, tmp_path / "dep.png", dpi=60), 60)
    area = cartes.prepare_placement_area("Vergt", 8)
    _image_checks(placement_map_image(area, tmp_path / "stage.png", dpi=60), 60)


def test_cli_maps(demo_session, tmp_path):
    runner = CliRunner()
    out = tmp_path / "c.html"
    result = runner.invoke(main, ["carte", str(demo_session.path), "--fond", "aucun", "--sortie", str(out)], catch_exceptions=False)
    assert result.exit_code == 0 and out.exists()
    result = runner.invoke(main, ["carte", str(demo_session.path), "--sortie", str(tmp_path / "c.png"), "--dpi", "60"])
    assert result.exit_code == 0 and (tmp_path / "c.png").exists()
    bad = runner.invoke(main, ["carte", str(demo_session.path), "--domaine", "mobilte"])
    assert bad.exit_code == 1 and "mobilite" in bad.output
    result = runner.invoke(main, ["decoupage", "--departement", "24", "--sortie", str(tmp_path / "d.svg")])
    assert result.exit_code == 0 and (tmp_path / "d.svg").exists()
    result = runner.invoke(main, ["stage", "--lieu", "Périgueux", "--rayon", "5", "--sortie", str(tmp_path / "s.html")])
    assert result.exit_code == 0
    assert "Mairie de Périgueux" in result.output and (tmp_path / "s-distances.csv").exists()
    assert runner.invoke(main, ["stage", "--lieu", "0.72,45.18"]).exit_code == 1
