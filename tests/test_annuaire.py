"""The actor directory: workspace creation, validation, editing, the demo."""

from __future__ import annotations

import datetime as dt

import pytest

from territoire import referentiel
from territoire._errors import TerritoireError
from territoire.dossier import annuaire, cellules, couvertures, edition, vocab
from territoire.dossier.problemes import ERROR, WARNING, ValidationError
from territoire.dossier.workspace import Workspace
from territoire.sources import preremplissage

from .conftest import write_workspace

BAD_ACTORS = """id;nom;famille;type;domaines;commune;latitude;longitude;couverture;mise_a_jour
ok;Bonne structure;;ASSO;sante;Périgueux;;;24322;2024-01-01
ok;Doublon;;ASSO;;24322;;;;
mauvaise-commune;Structure A;;ASSO;;Perigeux;;;;
ambigue;Structure B;;ASSO;;Saint-Martin;;;;
vocab;Structure C;associatoins;ASSOC;mobilte|sante;24322;;;;
inversee;Structure D;;ASSO;;;0,7225;45,1862;24322;
hors-france;Structure E;;ASSO;;;40,7;-74,0;24322;
date;Structure F;;ASSO;;24322;;;;32/13/2024
zone-absente;Structure G;;ASSO;;24322;;;zone:zones/inconnue.geojson;
zone-points;Structure H;;ASSO;;24322;;;zone:zones/points.geojson;
rayon-faux;Structure I;;ASSO;;24322;;;rayon:beaucoup;
ailleurs;Structure J;;ASSO;;Bordeaux;;;;
"""
BAD_RELATIONS = """source;cible;type;forme;formalisation;intensite;debut;fin
ok;inconnu;convention;initiative;convention;2;;
ok;ok;informel;;;;;
ok;mauvaise-commune;financement;;;5;2024-01-01;2023-01-01
ok;mauvaise-commune;financement;;;1;;
ok;mauvaise-commune;financement;;;1;;
ok;vocab;amitié;;;;pas une date;
"""


@pytest.fixture()
def bad(tmp_path):
    ws = write_workspace(tmp_path / "ws", BAD_ACTORS, BAD_RELATIONS)
    (ws.path / "zones" / "points.geojson").write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
        '"geometry":{"type":"Point","coordinates":[0.7,45.1]}}]}',
        encoding="utf-8",
    )
    return ws


def _find(problems, line, column, gravite=ERROR, file="acteurs.csv"):
    found = [p for p in problems if p.ligne == line and p.colonne == column and p.gravite == gravite and p.fichier == file]
    assert found, f"aucun problème {gravite} ligne {line} colonne {column} : {[str(p) for p in problems]}"
    return found[0]


def test_validation_reports_every_problem_at_once_with_line_column_and_fix(bad):
    problems = annuaire.validate(bad)
    assert _find(problems, 3, "id").message.startswith("identifiant « ok » déjà utilisé ligne 2")
    misspelt = _find(problems, 4, "commune")
    assert "Périgueux" in misspelt.message
    ambiguous = _find(problems, 5, "commune")
    assert "plusieurs territoires" in ambiguous.message and ambiguous.correction
    family = _find(problems, 6, "famille")
    assert "Vouliez-vous dire : association" in family.message
    assert "Valeurs acceptées" in family.message
    _find(problems, 6, "type")
    domains = [p for p in problems if p.ligne == 6 and p.colonne == "domaines"]
    assert len(domains) == 1 and domains[0].valeur == "mobilte"
    swapped = _find(problems, 7, "latitude")
    assert "inversées" in swapped.message
    assert "hors de France" in _find(problems, 8, "latitude").message
    assert _find(problems, 9, "mise_a_jour", WARNING)
    assert "introuvable" in _find(problems, 10, "couverture").message
    assert "polygones" in _find(problems, 11, "couverture").message
    assert "rayon" in _find(problems, 12, "couverture").message
    assert "hors du territoire" in _find(problems, 13, "commune", WARNING).message
    # relations
    unknown = _find(problems, 2, "cible", file="relations.csv")
    assert "acteur inconnu « inconnu »" in unknown.message
    assert "lui-même" in _find(problems, 3, "cible", file="relations.csv").message
    assert "1 (faible) à 3" in _find(problems, 4, "intensite", file="relations.csv").message
    assert "précède" in _find(problems, 4, "fin", file="relations.csv").message
    assert "en double" in _find(problems, 6, "source", WARNING, file="relations.csv").message
    assert _find(problems, 7, "type", file="relations.csv")
    assert _find(problems, 7, "debut", file="relations.csv")
    # errors come first, and every message is one line of French
    kinds = [p.gravite for p in problems]
    assert kinds == sorted(kinds, key=lambda k: k != ERROR)
    assert all("\n" not in str(p) for p in problems)


def test_rows_with_errors_are_kept_and_marked(bad):
    directory = annuaire.load_directory(bad)
    assert len(directory.actors) == 12  # nothing dropped, the duplicate renamed
    assert directory.actors.index.is_unique
    assert directory.actors.loc["ok", "valide"]
    assert not directory.actors.loc["vocab", "valide"]
    assert directory.actors.loc["vocab", "domaines"] == ("sante",)


def test_location_falls_back_to_the_mairie_and_says_so(tmp_path):
    ws = write_workspace(
        tmp_path / "ws",
        "id;nom;type;commune;latitude;longitude\na;A;ASSO;24322;;\nb;B;ASSO;24322;45.19;0.71\n",
    )
    actors = annuaire.load_directory(ws).actors
    perigueux = referentiel.communes(geometry=False).loc["24322"]
    assert actors.loc["a", "localisation"] == "mairie de la commune"
    assert actors.loc["a", "longitude"] == pytest.approx(perigueux["mairie_lon"])
    assert actors.loc["b", "localisation"] == "coordonnées"
    assert actors.loc["b", "latitude"] == pytest.approx(45.19)


@pytest.mark.parametrize(
    ("type_code", "expected"),
    [("MUNI", ("commune", "24322")), ("CCAS", ("commune", "24322")), ("CIAS", ("epci", "200040392")),
     ("EPCI", ("epci", "200040392")), ("CAF", ("departement", "24")), ("CPAM", ("departement", "24")),
     ("MDPH", ("departement", "24")), ("CD", ("departement", "24")), ("REG", ("region", "75"))],
)
def test_empty_coverage_defaults_from_the_type(tmp_path, type_code, expected):
    ws = write_workspace(tmp_path / "ws", f"id;nom;type;commune;couverture\na;A;{type_code};24322;\n")
    actor = annuaire.load_directory(ws).actors.loc["a"]
    assert actor["couverture_items"] == [expected]
    assert actor["couverture_defaut"]


def test_coverage_tokens_accept_codes_names_and_prefixes(tmp_path):
    ws = write_workspace(
        tmp_path / "ws",
        "id;nom;type;commune;couverture\n"
        "a;A;ASSO;24322;24322|Boulazac Isle Manoire|canton:2412|region:75|rayon:7,5|france|Le Grand Périgueux\n",
    )
    items = annuaire.load_directory(ws).actors.loc["a", "couverture_items"]
    assert items == [
        ("commune", "24322"), ("commune", "24053"), ("canton", "2412"), ("region", "75"),
        ("rayon", 7.5), ("france", "france"), ("epci", "200040392"),
    ]


def test_init_prefills_reference_actors(tmp_path):
    ws = preremplissage.create_workspace(tmp_path / "d", "Le Grand Périgueux", structure="Centre social Les Tilleuls", date=dt.date(2026, 1, 2))
    assert (ws.path / "zones").is_dir()
    assert ws.settings.perimetre == ["epci:200040392"]
    assert ws.settings.date == "2026-01-02"
    actors = annuaire.load_directory(ws).actors
    mairies = actors[actors["type"] == "MUNI"]
    assert len(mairies) == 43
    communes = referentiel.communes(geometry=False)
    perigueux = actors.loc["mairie-24322"]
    assert perigueux["nom"] == "Mairie de Périgueux"
    assert perigueux["telephone"] == communes.at["24322", "mairie_telephone"]
    assert perigueux["adresse"] == communes.at["24322", "mairie_adresse"]
    assert perigueux["horaires"] == communes.at["24322", "mairie_horaires"]
    assert actors.loc["mairie-24108", "nom"] == "Mairie de la Chapelle-Gonaguet"
    for ident, type_code in (("epci-200040392", "EPCI"), ("cd-24", "CD"), ("prefecture-24", "PREF"), ("cr-75", "REG")):
        assert actors.loc[ident, "type"] == type_code
    assert set(actors.loc[actors["type"].notna(), "source"]) == {"référentiel"}
    assert ws.settings.structure == "centre-social-les-tilleuls"
    assert actors.loc["centre-social-les-tilleuls", "role"] == "interne"
    with pytest.raises(TerritoireError, match="existe déjà"):
        preremplissage.create_workspace(tmp_path / "d", "24")


def test_demo_is_rich_enough_and_valid(demo):
    directory = annuaire.load_directory(demo)
    actors, relations = directory.actors, directory.relations
    assert 60 <= len(actors) <= 100
    assert len(relations) >= 50
    assert directory.errors == []
    assert set(actors["famille"]) == set(vocab.vocabulary("familles").codes) - {"autre"}
    assert set(relations["type"]) == set(vocab.vocabulary("types_relation").codes)
    assert set(relations["forme"]) == set(vocab.vocabulary("formes").codes)
    assert set(relations["formalisation"]) == set(vocab.vocabulary("formalisations").codes)
    assert relations["fin"].notna().sum() >= 2 and relations["debut"].notna().sum() >= 5
    assert set(actors["source"]) == {"référentiel", "illustratif"}
    kinds = {k for items in actors["couverture_items"] for k, _ in items}
    assert {"commune", "epci", "departement", "region", "rayon", "zone"} <= kinds
    assert actors["couverture_defaut"].any()
    assert demo.settings.structure in actors.index
    assert "priorite_stage" in demo.actors.extra_columns


def test_update_keeps_other_rows_unknown_columns_and_order(demo):
    before = demo.actors.frame.copy()
    edition.update_actor(demo, "epicerie-toulon", {"telephone": "05 53 00 00 00", "priorite_stage": "basse"})
    after = Workspace(demo.path).actors.frame
    assert list(after.columns) == list(before.columns)
    assert after["id"].tolist() == before["id"].tolist()
    changed = after.index[after["id"] == "epicerie-toulon"][0]
    assert after.at[changed, "telephone"] == "05 53 00 00 00"
    assert after.at[changed, "priorite_stage"] == "basse"
    unchanged = after.drop(index=changed)
    assert unchanged.equals(before.drop(index=changed))


def test_add_refuses_errors_and_accepts_good_rows(demo):
    with pytest.raises(ValidationError) as info:
        edition.add_actor(demo, {"nom": "Nouvelle", "type": "ASSO", "commune": "Perigeux"})
    assert "Périgueux" in str(info.value)
    assert "nouvelle" not in Workspace(demo.path).actors.get("id").tolist()
    ident, _warnings = edition.add_actor(demo, {"nom": "Nouvelle association", "type": "ASSO", "commune": "Périgueux", "domaines": "mobilité"})
    assert ident == "nouvelle-association"
    actor = annuaire.load_directory(Workspace(demo.path)).actors.loc[ident]
    assert actor["domaines"] == ("mobilite",)


def test_delete_protects_relations(demo):
    with pytest.raises(TerritoireError, match="relation"):
        edition.delete_actor(demo, "epicerie-toulon")
    relations_before = len(demo.relations.frame)
    removed = edition.delete_actor(demo, "epicerie-toulon", with_relations=True)
    ws = Workspace(demo.path)
    assert "epicerie-toulon" not in ws.actors.get("id").tolist()
    assert len(ws.relations.frame) == relations_before - removed
    assert annuaire.load_directory(ws).errors == []


def test_add_and_delete_relation(demo):
    edition.add_relation(demo, {"source": "ehpad-vergt", "cible": "msp-vergt", "type": "convention", "forme": "initiative"})
    ws = Workspace(demo.path)
    assert ws.relations.frame.iloc[-1]["source"] == "ehpad-vergt"
    with pytest.raises(ValidationError, match="inconnu"):
        edition.add_relation(ws, {"source": "ehpad-vergt", "cible": "personne", "type": "convention"})
    assert edition.delete_relations(Workspace(demo.path), "ehpad-vergt", "msp-vergt") == 1


def test_parse_date_forms():
    assert cellules.parse_date("2024-03-01") == dt.date(2024, 3, 1)
    assert cellules.parse_date("01/03/2024") == dt.date(2024, 3, 1)
    assert cellules.parse_date("2024") == dt.date(2024, 1, 1)
    assert cellules.parse_date("2024", end=True) == dt.date(2024, 12, 31)
    assert cellules.parse_date("2024-02", end=True) == dt.date(2024, 2, 29)
    assert cellules.parse_date("") is None
    with pytest.raises(ValueError):
        cellules.parse_date("hier")


def test_describe_coverage_in_words():
    text = couvertures.describe_coverage([("epci", "200040392"), ("rayon", 7.5)])
    assert text == "Communauté d'agglomération Le Grand Périgueux, rayon de 7,5 km"
    assert couvertures.describe_coverage([("departement", "24")]) == "département de la Dordogne"
    assert couvertures.describe_coverage([("commune", "24322"), ("commune", "24053")]) == "2 communes"
