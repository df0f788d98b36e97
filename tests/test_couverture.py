"""Coverage analyses, checked by hand on synthetic squares and on real communes."""

from __future__ import annotations

import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import Point, box

from territoire import referentiel
from territoire.analyses import (
    chevauchements,
    contours,
    couverture,
    distances,
    matrice,
    zones_blanches,
)
from territoire.dossier.annuaire import load_directory
from territoire.dossier.workspace import Workspace

from .conftest import write_workspace

TO_WGS84 = Transformer.from_crs(2154, 4326, always_xy=True)
X0, Y0 = 500_000.0, 6_500_000.0  # somewhere in metropolitan France, Lambert-93


def _squares():
    """Four 10 km × 10 km communes in a 2 × 2 grid (Lambert-93), populations 100 to 400.

    A | B      A = (0–10, 10–20) km, B = (10–20, 10–20) km
    C | D      C = (0–10, 0–10) km,  D = (10–20, 0–10) km
    """
    cells = {"A": (0, 10), "B": (10, 10), "C": (0, 0), "D": (10, 0)}
    geoms, rows = [], []
    for i, (code, (dx, dy)) in enumerate(cells.items()):
        x, y = X0 + dx * 1000, Y0 + dy * 1000
        geoms.append(box(x, y, x + 10_000, y + 10_000))
        lon, lat = TO_WGS84.transform(x + 5_000, y + 5_000)
        rows.append(
            {"nom": f"Commune {code}", "population": 100 * (i + 1), "epci": "E1" if code in "AB" else "E2",
             "departement": "99", "region": "R", "cantons": "K1" if code in "AC" else "K2",
             "zone": "metropole", "mairie_lon": lon, "mairie_lat": lat}
        )
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs=2154, index=pd.Index(list(cells), name="code_insee"))
    frame["population"] = frame["population"].astype("Int64")
    return frame.to_crs(4326)


def _actors(specs):
    """Parsed-like actors: id → (x_km, y_km, items, type, domaines)."""
    rows, geoms = [], []
    for ident, (x, y, items, type_code, domaines) in specs.items():
        lon, lat = TO_WGS84.transform(X0 + x * 1000, Y0 + y * 1000)
        rows.append({"id": ident, "nom": ident.upper(), "type": type_code, "famille": "association", "statut": "prive",
                     "role": "operationnel", "domaines": tuple(domaines), "publics": (), "couverture_items": items,
                     "commune": None, "departement": None, "longitude": lon, "latitude": lat})
        geoms.append(Point(lon, lat))
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs=4326)
    frame.index = pd.Index(frame["id"], name="acteur")
    return frame


def test_codes_radius_and_shares_on_squares():
    communes = _squares()
    actors = _actors({
        "code": (0, 0, [("commune", "A"), ("epci", "E2")], "ASSO", ["sante"]),
        "centre": (5, 15, [("rayon", 5.0)], "ASSO", ["sante"]),           # inside A
        "coin": (10.001, 10.001, [("rayon", 5.0)], "ASSO", ["mobilite"]),  # at the shared corner, in B
        "zero": (15, 5, [("rayon", 0.0)], "ASSO", ["mobilite"]),          # in D
    })
    cov = matrice.build_coverage(actors, communes)
    pairs = cov.pairs().set_index(["acteur", "commune"])
    assert set(cov.communes_of("code")) == {"A", "C", "D"}
    assert pairs.loc[("code", "C"), "part"] == 1.0
    # a 5 km circle inside a 100 km² square covers π·25 km²
    assert pairs.loc[("centre", "A"), "part"] == pytest.approx(math.pi * 25 / 100, abs=0.002)
    assert pairs.loc[("centre", "A"), "couvert"]
    # at the corner each square gets a quarter of the circle: below the threshold...
    for code in "ACD":
        assert pairs.loc[("coin", code), "part"] == pytest.approx(math.pi * 25 / 4 / 100, abs=0.003)
        assert not pairs.loc[("coin", code), "couvert"]
    # ...except the commune where the actor stands
    assert pairs.loc[("coin", "B"), "couvert"]
    # rayon:0 covers its own commune and nothing else
    assert cov.communes_of("zero") == ["D"]


def test_threshold_is_an_option():
    communes = _squares()
    actors = _actors({"coin": (10.001, 10.001, [("rayon", 5.0)], "ASSO", [])})
    low = matrice.build_coverage(actors, communes, threshold=0.1)
    assert set(low.communes_of("coin")) == {"A", "B", "C", "D"}


def test_counts_and_gaps_add_up():
    communes = _squares()
    actors = _actors({
        "a": (5, 15, [("commune", "A")], "ASSO", ["sante"]),
        "b": (15, 15, [("commune", "A"), ("commune", "B")], "ASSO", ["sante", "mobilite"]),
    })
    cov = matrice.build_coverage(actors, communes)
    counts = zones_blanches.counts_by(cov, actors, "domaines")
    assert counts.loc["A", "sante"] == 2 and counts.loc["B", "sante"] == 1 and counts.loc["C", "sante"] == 0
    gaps = zones_blanches.gaps(counts, communes).set_index("valeur")
    assert gaps.loc["sante", "communes_sans_acteur"] == 2
    assert gaps.loc["sante", "population_sans_acteur"] == 300 + 400
    for value in gaps.index:
        assert gaps.loc[value, "population_sans_acteur"] + gaps.loc[value, "population_couverte"] == 1000


def test_overlaps_are_symmetric_with_jaccard():
    communes = _squares()
    specs = {
        "x": (5, 15, [("commune", "A"), ("commune", "B")], "ASSO", ["sante"]),
        "y": (15, 5, [("commune", "B"), ("commune", "D"), ("commune", "C")], "ASSO", ["sante"]),
        "z": (5, 5, [("commune", "C")], "CS", ["sante"]),  # another type: no overlap with x, y
    }
    forward = chevauchements.overlaps(matrice.build_coverage(_actors(specs), communes), _actors(specs), communes)
    reverse_specs = dict(reversed(list(specs.items())))
    backward = chevauchements.overlaps(matrice.build_coverage(_actors(reverse_specs), communes), _actors(reverse_specs), communes)
    assert len(forward) == 1
    row = forward.iloc[0]
    assert (row["acteur_a"], row["acteur_b"]) == ("x", "y")
    assert row["communes_partagees"] == 1 and row["codes"] == "B" and row["population_partagee"] == 200
    assert row["jaccard"] == pytest.approx(1 / 4)
    pd.testing.assert_frame_equal(forward, backward)


def test_distances_match_a_hand_computation_in_lambert93():
    communes = _squares()
    actors = _actors({
        "near": (12, 3, [("commune", "D")], "ASSO", ["sante"]),
        "far": (1, 19, [("commune", "A"), ("commune", "B"), ("commune", "C"), ("commune", "D")], "ASSO", ["sante"]),
    })
    cov = matrice.build_coverage(actors, communes)
    detail, summary = distances.distances(cov, actors, communes)
    detail = detail.set_index("code_insee")
    to_l93 = Transformer.from_crs(4326, 2154, always_xy=True)
    for code in "ABCD":
        mx, my = to_l93.transform(communes.at[code, "mairie_lon"], communes.at[code, "mairie_lat"])
        dists = {}
        for ident in ("near", "far"):
            ax, ay = to_l93.transform(actors.at[ident, "longitude"], actors.at[ident, "latitude"])
            dists[ident] = math.hypot(ax - mx, ay - my) / 1000
        competent = dists["near"] if code == "D" else dists["far"]
        competent = min(dists.values()) if code == "D" else dists["far"]
        assert detail.at[code, "distance_competent_km"] == pytest.approx(competent, abs=0.001)  # 1 m
        assert detail.at[code, "distance_plus_proche_km"] == pytest.approx(min(dists.values()), abs=0.001)
    # B is closer to "near" but only "far" is competent there
    assert detail.at["B", "acteur_competent"] == "far" and detail.at["B", "acteur_plus_proche"] == "near"
    weights = np.array([100, 200, 300, 400])
    expected = (detail.loc[list("ABCD"), "distance_competent_km"].to_numpy() * weights).sum() / weights.sum()
    assert summary.iloc[0]["moyenne_ponderee_competent_km"] == pytest.approx(expected, abs=0.01)


def test_departement_wide_actor_covers_exactly_its_communes(tmp_path):
    ws = write_workspace(tmp_path / "ws", "id;nom;type;commune;couverture\ncaf;CAF;CAF;24322;24\nasso;A;ASSO;24322;rayon:0\n", perimetre="region:75")
    directory = load_directory(ws)
    territory = ws.territory()
    communes = referentiel.communes(departements=territory.departements)
    cov = matrice.build_coverage(directory.actors, communes)
    expected = set(referentiel.communes(departements=["24"], geometry=False).index)
    assert set(cov.communes_of("caf")) == expected
    assert cov.communes_of("asso") == ["24322"]
    counts = zones_blanches.counts_by(cov, directory.actors, "type")
    gaps = zones_blanches.gaps(counts, communes).set_index("valeur")
    total = int(communes["population"].fillna(0).sum())
    assert gaps.loc["CAF", "population_sans_acteur"] + gaps.loc["CAF", "population_couverte"] == total
    assert gaps.loc["CAF", "communes_sans_acteur"] == len(communes) - len(expected)


def test_unresolvable_coverage_is_reported_and_the_rest_runs(demo):
    path = demo.path / "acteurs.csv"
    text = path.read_text(encoding="utf-8-sig")
    text = text.replace("zone:zones/quartiers-tilleuls.geojson", "zone:zones/disparue.geojson", 1)
    path.write_text(text, encoding="utf-8-sig")
    analysis = couverture.analyse(load_directory(Workspace(demo.path)))
    left = analysis.left_out.set_index("acteur")
    assert "cs-tilleuls" in left.index
    assert "introuvable" in left.loc["cs-tilleuls", "raison"]
    assert len(analysis.gaps) > 1 and len(analysis.distance_summary) > 1


@pytest.fixture(scope="module")
def demo_analysis(demo_session):
    return couverture.analyse(load_directory(demo_session))


def _gap(analysis, value):
    return analysis.gaps.set_index("valeur").loc[value]


def test_demo_gaps_designed(demo_analysis):
    communes = demo_analysis.communes
    north_east = {"24540", "24135", "24527", "24521", "24162", "24011", "24026"}  # Sorges… Bassillac
    mobility = set(_gap(demo_analysis, "mobilite")["codes"].split("|"))
    assert north_east <= mobility
    assert "24322" not in mobility
    numeric = set(_gap(demo_analysis, "numerique")["codes"].split("|"))
    assert {"24002", "24115", "24108"} <= numeric  # Agonac, Château-l'Évêque, La Chapelle-Gonaguet
    mds = demo_analysis.type_gaps.set_index("valeur").loc["MDS"]
    assert set(mds["codes"].split("|")) == {"24540", "24135", "24527"}
    assert mds["population_sans_acteur"] == int(communes.loc[["24540", "24135", "24527"], "population"].sum())


def test_demo_overlaps_and_coordination(demo_analysis):
    pairs = {(r.acteur_a, r.acteur_b) for r in demo_analysis.overlaps.itertuples()}
    assert ("ft-boulazac", "ft-perigueux") in pairs
    assert ("rfs-chignac", "rfs-vergt") in pairs
    assert ("epicerie-toulon", "partage-manoire") in pairs
    ft = demo_analysis.overlaps[demo_analysis.overlaps["acteur_a"] == "ft-boulazac"].iloc[0]
    assert ft["codes"] == "24557"
    uncoordinated = {(r.acteur_a, r.acteur_b) for r in demo_analysis.uncoordinated.itertuples()}
    assert ("epicerie-toulon", "partage-manoire") in uncoordinated
    assert ("cs-boulazac", "cs-tilleuls") not in uncoordinated  # they work together
    assert not any("tilleuls-" in a or "tilleuls-" in b for a, b in pairs)  # internal services


def test_demo_contradictory_boundaries(demo_analysis):
    phrases = " ".join(demo_analysis.splits["phrase"])
    assert "« Maison des solidarités de Boulazac (secteur Est) » couvre 2 des 28 communes de : Communauté de communes Isle-Loue-Auvézère en Périgord" in phrases
    crossing = {(r.acteur_a, r.acteur_b) for r in demo_analysis.crossings.itertuples()}
    assert ("ft-perigueux", "mds-ouest") in crossing


def test_demo_tables_written(demo_analysis, tmp_path):
    written = couverture.write_tables(demo_analysis, tmp_path, json_too=True)
    names = {p.name for p in written}
    assert {"zones_blanches_domaines.csv", "chevauchements.csv", "distances.csv", "densite_offre.csv", "secteurs_croises.json"} <= names
    table = pd.read_csv(tmp_path / "zones_blanches_domaines.csv", sep=";", encoding="utf-8-sig")
    assert "mobilite" in set(table["valeur"])


def test_coverage_polygons_for_maps(demo_session):
    polygons = contours.coverage_polygons(demo_session).set_index("id")
    caf = polygons.loc["caf-24"].geometry
    dordogne = referentiel.departements(departements=["24"]).loc["24"].geometry
    assert caf.symmetric_difference(dordogne).area < 1e-6 * dordogne.area
    circle = gpd.GeoSeries([polygons.loc["rfs-vergt"].geometry], crs=4326).to_crs(2154).area.iloc[0]
    assert circle == pytest.approx(math.pi * 12_000**2, rel=0.01)


def test_cli_analyser_prints_findings_from_the_analysis(demo_session, tmp_path):
    import shutil

    from click.testing import CliRunner

    from territoire.cli import main

    folder = tmp_path / "demo"
    shutil.copytree(demo_session.path, folder)
    result = CliRunner().invoke(main, ["analyser", str(folder)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    analysis = couverture.analyse(load_directory(Workspace(folder)))
    mobility = analysis.gaps.set_index("valeur").loc["mobilite"]
    expected = f"{mobility['communes_sans_acteur']} communes ("
    assert expected in result.output and "sans aucun acteur du domaine mobilité" in result.output
    assert "Chevauchements sans coordination" in result.output
    assert "couvre 2 des 28 communes" in result.output
    assert (folder / "resultats" / "zones_blanches_domaines.csv").exists()
    bad = CliRunner().invoke(main, ["analyser", str(folder), "--distances", "dix"])
    assert bad.exit_code == 1 and bad.output.startswith("Erreur : --distances")
    filtered = CliRunner().invoke(main, ["analyser", str(folder), "--domaines", "mobilite", "--format", "json"])
    data = json.loads(filtered.output)
    assert [row["valeur"] for row in data["zones_blanches_domaines"]] == ["tous", "mobilite"]
