"""CLI of the directory: init, demo, acteurs, relations, vocabulaire."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from territoire.cli import main
from territoire.dossier.workspace import Workspace


@pytest.fixture()
def run():
    runner = CliRunner()
    return lambda *args: runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_init_then_validate(run, tmp_path):
    folder = tmp_path / "diag"
    result = run("init", folder, "--territoire", "Le Grand Périgueux", "--structure", "Centre social Les Tilleuls", "--date", "2026-01-02")
    assert result.exit_code == 0, result.output
    assert "Annuaire prérempli : 47 acteurs du référentiel" in result.output
    assert (folder / "acteurs.csv").exists() and (folder / "relations.csv").exists() and (folder / "zones").is_dir()
    result = run("acteurs", "valider", folder)
    assert result.exit_code == 0  # only warnings: the new structure must be completed
    assert "0 erreur(s)" in result.output
    assert "centre-social-les-tilleuls" in result.output


def test_init_refuses_an_existing_folder(run, tmp_path):
    (tmp_path / "diag").mkdir()
    (tmp_path / "diag" / "x.txt").write_text("x")
    result = run("init", tmp_path / "diag", "--territoire", "24")
    assert result.exit_code == 1
    assert result.output.startswith("Erreur : le dossier")


def test_demo_command(run, tmp_path):
    result = run("demo", tmp_path / "d")
    assert result.exit_code == 0
    assert "100 acteurs, 75 relations" in result.output
    assert run("acteurs", "valider", tmp_path / "d").exit_code == 0


def test_add_modify_delete_cycle(run, demo):
    result = run("acteurs", "ajouter", demo.path, "--nom", "Épicerie du Bourg", "--type", "association",
                 "--domaines", "alimentation", "--commune", "Vergt", "--champ", "priorite_stage=haute")
    assert result.exit_code == 0, result.output
    assert "Acteur ajouté : epicerie-du-bourg" in result.output
    result = run("acteurs", "modifier", demo.path, "epicerie-du-bourg", "--telephone", "05 53 00 00 09")
    assert result.exit_code == 0
    listed = json.loads(run("acteurs", "lister", demo.path, "--commune", "Vergt", "--format", "json").output)
    mine = next(a for a in listed if a["id"] == "epicerie-du-bourg")
    assert mine["telephone"] == "05 53 00 00 09"
    assert mine["domaines"] == "equipement-et-alimentation"
    assert mine["localisation"] == "mairie de la commune"
    assert mine["couverture"] == "Vergt (par défaut selon le type)"
    frame = Workspace(demo.path).actors.frame
    assert frame.loc[frame["id"] == "epicerie-du-bourg", "priorite_stage"].item() == "haute"
    assert run("acteurs", "supprimer", demo.path, "epicerie-du-bourg").exit_code == 0


def test_bad_edits_give_french_errors(run, demo):
    result = run("acteurs", "ajouter", demo.path, "--nom", "X", "--type", "ASOC")
    assert result.exit_code == 1
    assert result.output.startswith("Erreur : ") and "ASSO" in result.output
    result = run("acteurs", "modifier", demo.path, "epicerie-tulon", "--notes", "x")
    assert result.exit_code == 1 and "epicerie-toulon" in result.output
    result = run("acteurs", "supprimer", demo.path, "cs-tilleuls")
    assert result.exit_code == 1 and "--avec-relations" in result.output
    result = run("relations", "ajouter", demo.path, "cs-tilleuls", "cs-tilleuls", "--type", "informel")
    assert result.exit_code == 1 and "lui-même" in result.output


def test_valider_exits_1_on_errors(run, demo):
    path = demo.path / "acteurs.csv"
    text = path.read_text(encoding="utf-8-sig")
    path.write_text(text.replace("cs-boulazac;Centre social de Boulazac;;CS", "cs-boulazac;Centre social de Boulazac;;CSS"), encoding="utf-8-sig")
    result = run("acteurs", "valider", demo.path)
    assert result.exit_code == 1
    assert "« CSS » n'est pas un type de structure connu" in result.output
    data = json.loads(run("acteurs", "valider", demo.path, "--format", "json").output)
    assert data[0]["gravite"] == "erreur" and data[0]["colonne"] == "type" and data[0]["ligne"] > 1


def test_relations_commands(run, demo):
    result = run("relations", "ajouter", demo.path, "ehpad-vergt", "msp-vergt", "--type", "convention", "--intensite", "2")
    assert result.exit_code == 0, result.output
    listed = json.loads(run("relations", "lister", demo.path, "--acteur", "ehpad-vergt", "--format", "json").output)
    assert listed == [{"source": "ehpad-vergt", "cible": "msp-vergt", "type": "convention", "forme": "", "formalisation": "",
                       "intensite": 2, "debut": "", "fin": "", "objet": ""}]
    assert "1 relation(s) supprimée(s)" in run("relations", "supprimer", demo.path, "ehpad-vergt", "msp-vergt").output


def test_export_import_cli(run, demo, tmp_path):
    target = tmp_path / "annuaire.xlsx"
    assert run("acteurs", "exporter", demo.path, target).exit_code == 0
    assert run("init", tmp_path / "autre", "--territoire", "200040392", "--vide").exit_code == 0
    result = run("acteurs", "importer", tmp_path / "autre", target)
    assert result.exit_code == 0
    assert "Acteurs ajoutés : 100" in result.output and "Relations ajoutées : 75" in result.output


def test_vocabulaire(run):
    out = run("vocabulaire").output
    assert "domaines" in out and "types_relation" in out
    out = run("vocabulaire", "types").output
    assert "CCAS" in out and "couverture par défaut : commune" in out
    assert run("vocabulaire", "inconnu").exit_code == 1


def test_missing_workspace_is_explained(run, tmp_path):
    result = run("acteurs", "lister", tmp_path / "nulle-part")
    assert result.exit_code == 1
    assert "territoire init" in result.output
