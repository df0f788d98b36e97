"""Partnership network: measures checked by hand, dates, the demo's design."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner

from territoire._errors import TerritoireError
from territoire.analyses import reseau
from territoire.cli import main
from territoire.dossier.annuaire import load_directory
from territoire.dossier.relations import relations_on

from .conftest import write_workspace


def _actors(ids, roles=None, families=None):
    return pd.DataFrame(
        {
            "nom": [i.upper() for i in ids],
            "famille": [(families or {}).get(i, "association") for i in ids],
            "type": "ASSO",
            "role": [(roles or {}).get(i) for i in ids],
            "source": "saisie",
        },
        index=pd.Index(ids, name="acteur"),
    )


def _relations(pairs, **columns):
    rows = []
    for pair in pairs:
        a, b, *rest = pair
        extra = rest[0] if rest else {}
        rows.append({
            "source": a, "cible": b, "type": extra.get("type", "informel"), "forme": extra.get("forme", "initiative"),
            "formalisation": extra.get("formalisation", "aucune"), "intensite": extra.get("intensite", 1),
            "debut": extra.get("debut"), "fin": extra.get("fin"), "objet": "", "notes": "",
            "oriente": extra.get("type") in ("financement", "orientation", "tutelle", "mise-a-disposition"), "valide": True,
        })
    return pd.DataFrame(rows, columns=["source", "cible", "type", "forme", "formalisation", "intensite", "debut", "fin", "objet", "notes", "oriente", "valide"])


def test_star():
    leaves = ["b", "c", "d", "e"]
    net = reseau.build_graph(_actors(["a", *leaves]), _relations([("a", x) for x in leaves]))
    m = reseau.actor_metrics(net)
    assert m.at["a", "degre"] == 4 and m.at["b", "degre"] == 1
    assert m.at["a", "intermediarite"] == pytest.approx(1.0)  # every pair of leaves goes through a
    assert m.at["b", "intermediarite"] == 0
    assert m.at["a", "proximite_harmonique"] == pytest.approx(1.0)  # at distance 1 from all
    assert m.at["b", "proximite_harmonique"] == pytest.approx((1 + 3 * 0.5) / 4)
    assert m.at["a", "contrainte"] == pytest.approx(4 * (1 / 4) ** 2)  # Burt: sum of squared shares
    assert m.at["b", "contrainte"] == pytest.approx(1.0)
    whole = reseau.whole_network(net)
    assert whole["densite"] == pytest.approx(4 / 10)
    assert whole["composantes"] == 1 and whole["isoles"] == []


def test_path():
    ids = ["a", "b", "c", "d", "e"]
    net = reseau.build_graph(_actors(ids), _relations(itertools.pairwise(ids)))
    m = reseau.actor_metrics(net)
    # c lies on 4 of the 6 shortest paths between other actors, b on 3
    assert m.at["c", "intermediarite"] == pytest.approx(4 / 6, abs=1e-4)
    assert m.at["b", "intermediarite"] == pytest.approx(3 / 6, abs=1e-4)
    assert m.at["a", "intermediarite"] == 0
    assert m.index[0] == "c"
    assert set(m["k_coeur"]) == {1}


def test_two_cliques_joined_by_a_bridge_and_an_isolated_actor():
    left = ["a1", "a2", "a3", "a4"]
    right = ["b1", "b2", "b3", "b4"]
    pairs = [(x, y) for group in (left, right) for i, x in enumerate(group) for y in group[i + 1:]]
    pairs += [("a1", "pont"), ("pont", "b1")]
    net = reseau.build_graph(_actors([*left, *right, "pont", "seul"]), _relations(pairs))
    m = reseau.actor_metrics(net)
    assert m["intermediarite"].idxmax() == "pont"
    assert m.at["a2", "k_coeur"] == 3 and m.at["pont", "k_coeur"] == 2 and m.at["seul", "k_coeur"] == 0
    whole = reseau.whole_network(net)
    assert whole["isoles"] == ["seul"] and whole["composantes"] == 2
    communities = dict(m["communaute"].dropna())
    assert len({communities[x] for x in left}) == 1 and len({communities[x] for x in right}) == 1
    assert communities["a1"] != communities["b1"]
    again = reseau.actor_metrics(reseau.build_graph(_actors([*left, *right, "pont", "seul"]), _relations(pairs)))
    assert dict(again["communaute"].dropna()) == communities  # seeded: reproducible


def test_formalisation_forms_and_reciprocity():
    rel = _relations([
        ("a", "b", {"type": "financement", "formalisation": "convention", "forme": "impose"}),
        ("b", "a", {"type": "orientation"}),
        ("a", "c", {"type": "orientation", "formalisation": "charte"}),
        ("c", "b", {"type": "informel", "forme": "palliatif"}),
    ])
    whole = reseau.whole_network(reseau.build_graph(_actors(["a", "b", "c"]), rel))
    assert whole["relations_formalisees"] == 2 and whole["part_formalisees"] == 0.5
    assert whole["par_forme"] == {"impose": 1, "initiative": 2, "palliatif": 1}
    assert whole["relations_orientees"] == 3
    assert whole["reciprocite"] == pytest.approx(2 / 3, abs=1e-3)  # a→b and b→a


def test_date_filtering():
    rel = _relations([
        ("a", "b", {"debut": dt.date(2020, 1, 1), "fin": dt.date(2022, 12, 31)}),
        ("b", "c", {"debut": dt.date(2023, 6, 1)}),
    ])
    actors = _actors(["a", "b", "c"])
    on_2021 = reseau.build_graph(actors, rel, date=dt.date(2021, 6, 1)).graph
    assert on_2021.has_edge("a", "b") and not on_2021.has_edge("b", "c")
    on_2024 = reseau.build_graph(actors, rel, date=dt.date(2024, 1, 1)).graph
    assert not on_2024.has_edge("a", "b") and on_2024.has_edge("b", "c")
    changes = reseau.changes_between(rel, dt.date(2022, 1, 1), dt.date(2023, 12, 31))
    assert list(changes["evenement"]) == ["fin", "début"]


def test_ego_categories_from_roles_and_relations():
    actors = _actors(["ego", "f", "p", "t", "i", "x"], roles={"f": "financeur", "p": "prescripteur", "t": "operationnel", "i": "interne"})
    rel = _relations([("f", "ego"), ("p", "ego"), ("t", "ego"), ("i", "ego"), ("x", "ego", {"type": "financement"}), ("f", "p")])
    ego = reseau.ego_network(reseau.build_graph(actors, rel), "ego", radius=2)
    groups = ego.by_category()
    assert groups["financeurs"] == ["f", "x"]  # x: no role, but it finances the structure
    assert groups["prescripteurs"] == ["p"] and groups["terrain"] == ["t"] and groups["internes"] == ["i"]
    with pytest.raises(TerritoireError, match="n'est pas dans le réseau"):
        reseau.ego_network(reseau.build_graph(actors, rel), "personne")


def test_bad_relations_are_reported_and_the_rest_analysed(tmp_path):
    ws = write_workspace(
        tmp_path / "ws",
        "id;nom;type;commune\na;A;ASSO;24322\nb;B;ASSO;24322\nc;C;ASSO;24322\n",
        "source;cible;type\na;b;informel\na;a;informel\na;z;informel\na;b;informel\nb;c;convention\n",
    )
    directory = load_directory(ws)
    messages = " ".join(p.message for p in directory.problems)
    assert "lui-même" in messages and "acteur inconnu « z »" in messages and "en double" in messages
    net = reseau.build_graph(directory.actors, directory.relations)
    assert set(net.graph.edges) == {("a", "b"), ("b", "c")}
    assert net.graph["a"]["b"]["relations"] == 2  # the duplicate still counts, and is reported


@pytest.fixture(scope="module")
def demo_report(demo_session):
    directory = load_directory(demo_session)
    most_central = reseau.actor_metrics(reseau.build_graph(directory.actors, directory.relations, date=demo_session.date))["intermediarite"].idxmax()
    return directory, most_central, reseau.analyse_workspace(
        directory, date=demo_session.date, ego=demo_session.settings.structure, without=[most_central]
    )


def test_demo_partners_in_the_four_categories(demo_session, demo_report):
    _, _, report = demo_report
    groups = report.ego.by_category()
    for category in reseau.CATEGORIES:
        assert groups[category], category
    assert {"tilleuls-familles", "tilleuls-jeunes", "tilleuls-benevoles"} == set(groups["internes"])
    assert "caf-24" in groups["financeurs"] and "mds-perigueux" in groups["prescripteurs"]


def test_demo_scenario_without_the_most_central_actor(demo_session, demo_report):
    _directory, most_central, report = demo_report
    assert most_central == demo_session.settings.structure  # designed: the placement structure
    scenario = report.scenario
    assert {"tilleuls-familles", "tilleuls-jeunes", "tilleuls-benevoles", "collectif-toulon"} <= set(scenario.newly_isolated)
    assert scenario.split_components
    lost = scenario.lost_coverage.set_index("domaine")
    assert "24322" in lost.loc["lecture-ecriture-calcul", "codes"].split("|")
    whole = report.whole
    assert {"ehpad-vergt", "collectif-geyrac"} <= set(whole["isoles"])


def test_demo_network_over_time(demo_session):
    directory = load_directory(demo_session)
    before = reseau.build_graph(directory.actors, directory.relations, date=dt.date(2022, 6, 1)).graph
    after = reseau.build_graph(directory.actors, directory.relations, date=dt.date(2026, 10, 1)).graph
    assert before.has_edge("fondation-inclusion", "cs-tilleuls") and not after.has_edge("fondation-inclusion", "cs-tilleuls")
    assert not before.has_edge("cs-tilleuls", "epn-perigueux") and after.has_edge("cs-tilleuls", "epn-perigueux")


def test_cli_reseau_outputs(demo_session, tmp_path):
    import shutil

    folder = tmp_path / "demo"
    shutil.copytree(demo_session.path, folder)
    result = CliRunner().invoke(main, ["reseau", str(folder), "--sans", "cs-tilleuls", "--depuis", "2023-01-01", "--jusqu-a", "2026-12-31"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Acteurs isolés" in result.output and "Partenaires de Centre social Les Tilleuls" in result.output
    assert "perdrait toute offre du domaine lecture, écriture, calcul : Périgueux" in result.output
    assert "fin de « Fondation pour l'inclusion — Centre social Les Tilleuls »" in result.output
    for path in ("resultats/reseau_acteurs.csv", "resultats/reseau.gexf", "resultats/reseau.graphml", "cartes/reseau.html",
                 "cartes/partenaires-cs-tilleuls.png", "cartes/partenaires-cs-tilleuls.svg", "resultats/reseau_evolution.csv"):
        assert (folder / path).exists(), path
    gexf = nx.read_gexf(folder / "resultats" / "reseau.gexf")
    graphml = nx.read_graphml(folder / "resultats" / "reseau.graphml")
    metrics = pd.read_csv(folder / "resultats" / "reseau_acteurs.csv", sep=";", encoding="utf-8-sig", index_col=0)
    assert gexf.number_of_nodes() == graphml.number_of_nodes() == len(metrics)
    data = json.loads(CliRunner().invoke(main, ["reseau", str(folder), "--format", "json"]).output)
    assert data["reseau"]["acteurs"] == len(metrics)
    for bad, message in ((["--ego", "personne"], "--ego"), (["--sans", "perso"], "--sans"), (["--sans", "a>b"], "acteur inconnu")):
        result = CliRunner().invoke(main, ["reseau", str(folder), *bad])
        assert result.exit_code == 1 and message in result.output


def test_cli_reseau_on_a_workspace_without_relations(tmp_path, referentiel_ready):
    from territoire.sources.preremplissage import create_workspace

    workspace = create_workspace(tmp_path / "vide", "Le Grand Périgueux", date=dt.date(2026, 10, 1))
    directory = load_directory(workspace)
    relations = directory.relations
    assert relations.empty and relations["valide"].dtype == bool
    assert relations_on(relations, dt.date(2026, 10, 1)).columns.tolist() == relations.columns.tolist()
    result = CliRunner().invoke(main, ["reseau", str(workspace.path)])
    assert result.exit_code == 0, result.output
    assert "Aucune relation en cours dans relations.csv" in result.output
    assert f"{len(directory.actors)} acteurs du référentiel sans relation renseignée" in result.output
    assert not (workspace.path / "cartes" / "reseau.html").exists()


def test_network_page_is_offline_and_in_french(demo_session):
    from territoire.rendu.reseau import network_page

    directory = load_directory(demo_session)
    net = reseau.build_graph(directory.actors, directory.relations)
    page = network_page(net, reseau.actor_metrics(net), title="Réseau", size_by="intermediarite")
    assert 'lang="fr"' in page and "Types de relation affich" in page
    assert "cdn.bokeh.org" not in page.split("<script")[1][:200]
    assert "Zoomer avec la molette" in page
    with pytest.raises(TerritoireError):
        network_page(net, reseau.actor_metrics(net), title="x", size_by="popularite")
