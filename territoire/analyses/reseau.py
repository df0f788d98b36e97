"""Partnership network analysis with networkx.

Pure functions on the parsed actors and relations (see :mod:`territoire.annuaire`):

- :func:`build_graph`: the network on a date, without some actors or relations;
- :func:`whole_network`: size, density, components, isolated actors, formalised
  share, relations by type and form, reciprocity of directed relations;
- :func:`actor_metrics`: degree (in/out for directed relations), weighted degree,
  betweenness ("passeurs"), harmonic closeness, Burt's constraint and effective
  size (brokerage), k-core, Louvain community (seeded);
- :func:`communities_vs_families`: silos or cross-sector work;
- :func:`ego_network`: partners of one structure by the four practical categories;
- :func:`scenario`: what changes without an actor or a relation;
- :func:`changes_between`: what appeared and ended between two dates.

Reference actors (``source = référentiel``: mairies…) with no relation are left out
of the network: the tool added them, the student did not study them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import pandas as pd

from territoire.dossier import vocab
from territoire.dossier.relations import relations_on

REFERENCE_SOURCE = "référentiel"
#: Practical categories of partners of a structure, in display order.
CATEGORIES = ("internes", "terrain", "financeurs", "prescripteurs")
CATEGORY_LABELS = {
    "internes": "Internes",
    "terrain": "Acteurs de terrain",
    "financeurs": "Financeurs, donneurs d'ordre",
    "prescripteurs": "Prescripteurs",
    "non-classes": "Non classés",
}
FORMALISED = ("convention", "charte")
SEED = 42
#: Above this many actors, betweenness and closeness are estimated from a sample.
APPROXIMATION_THRESHOLD = 2000
SAMPLE_SIZE = 400


def parse_removal(text: str, actor_ids: Iterable[str]) -> tuple[str, Any]:
    """``"caf-24"`` → ("acteur", id); ``"caf-24>cs-tilleuls"`` → ("relation", (a, b))."""
    from territoire._errors import TerritoireError

    ids = set(actor_ids)
    raw = text.strip()
    if ">" in raw:
        a, _, b = raw.partition(">")
        a, b = a.strip(), b.strip()
        for end in (a, b):
            if end not in ids:
                raise TerritoireError(f"--sans « {raw} » : acteur inconnu « {end} ».")
        return "relation", (a, b)
    if raw not in ids:
        from territoire._text import closest_ids

        close = closest_ids(raw, sorted(ids))
        hint = f" Vouliez-vous dire : {', '.join(close)} ?" if close else ""
        raise TerritoireError(f"--sans « {raw} » : aucun acteur n'a cet identifiant (pour une relation : SOURCE>CIBLE).{hint}")
    return "acteur", raw


@dataclass
class Network:
    """The network as analysed: an undirected weighted graph of partners and the
    directed graph of directed relations, plus what was left out."""

    graph: nx.Graph
    directed: nx.DiGraph
    relations: pd.DataFrame
    left_out: list[str]
    date: dt.date | None = None


def build_graph(
    actors,
    relations: pd.DataFrame,
    *,
    date: dt.date | None = None,
    without_actors: Sequence[str] = (),
    without_relations: Sequence[tuple[str, str]] = (),
) -> Network:
    """The partnership network: nodes are actors (with their family, type, role),
    an edge joins two partners (weight = summed intensity, ``relations`` = count)."""
    rel = relations_on(relations, date)
    removed = set(without_actors)
    pairs = {frozenset(p) for p in without_relations}
    rel = rel[~rel["source"].isin(removed) & ~rel["cible"].isin(removed)]
    if pairs:
        rel = rel[[frozenset((a, b)) not in pairs for a, b in zip(rel["source"], rel["cible"], strict=True)]]
    linked = set(rel["source"]) | set(rel["cible"])
    nodes = [
        ident for ident, source in zip(actors.index, actors["source"], strict=True)
        if ident not in removed and (ident in linked or source != REFERENCE_SOURCE)
    ]
    left_out = [ident for ident in actors.index if ident not in removed and ident not in set(nodes)]
    graph = nx.Graph()
    directed = nx.DiGraph()
    for ident in nodes:
        attributes = {
            "nom": str(actors.at[ident, "nom"]),
            "famille": actors.at[ident, "famille"] or "autre",
            "type": actors.at[ident, "type"] or "",
            "role": actors.at[ident, "role"] or "",
        }
        graph.add_node(ident, **attributes)
        directed.add_node(ident, **attributes)
    for row in rel.itertuples():
        a, b = row.source, row.cible
        if graph.has_edge(a, b):
            data = graph[a][b]
            data["weight"] += int(row.intensite)
            data["relations"] += 1
            data["types"] = "|".join(sorted(set(data["types"].split("|")) | {row.type or ""}))
        else:
            graph.add_edge(a, b, weight=int(row.intensite), relations=1, types=row.type or "")
        if row.oriente:
            if directed.has_edge(a, b):
                directed[a][b]["weight"] += int(row.intensite)
            else:
                directed.add_edge(a, b, weight=int(row.intensite), type=row.type or "")
    return Network(graph, directed, rel, left_out, date)


def whole_network(network: Network) -> dict[str, Any]:
    """Figures of the whole network."""
    graph, rel = network.graph, network.relations
    components = sorted(nx.connected_components(graph), key=len, reverse=True)
    isolated = sorted(n for n in graph.nodes if graph.degree(n) == 0)
    total = len(rel)
    formalised = int(rel["formalisation"].isin(FORMALISED).sum())
    informal = int((rel["formalisation"] == "aucune").sum())
    directed_edges = network.directed.number_of_edges()
    return {
        "acteurs": graph.number_of_nodes(),
        "relations": total,
        "paires_liees": graph.number_of_edges(),
        "densite": round(nx.density(graph), 4) if graph.number_of_nodes() > 1 else 0.0,
        "degre_moyen": round(2 * graph.number_of_edges() / graph.number_of_nodes(), 2) if graph.number_of_nodes() else 0.0,
        "composantes": len(components),
        "taille_composantes": [len(c) for c in components],
        "isoles": isolated,
        "relations_formalisees": formalised,
        "relations_informelles": informal,
        "relations_formalisation_inconnue": total - formalised - informal,
        "part_formalisees": round(formalised / total, 4) if total else None,
        "par_type": dict(Counter(t or "non renseigné" for t in rel["type"])),
        "par_forme": dict(Counter(f or "non renseignée" for f in rel["forme"])),
        "par_formalisation": dict(Counter(f or "non renseignée" for f in rel["formalisation"])),
        "relations_orientees": directed_edges,
        "reciprocite": round(nx.reciprocity(network.directed), 4) if directed_edges else None,
        "hors_reseau": len(network.left_out),
    }


def actor_metrics(network: Network, *, approximate: bool | None = None) -> pd.DataFrame:
    """Centrality and brokerage of every actor of the network.

    Betweenness and harmonic closeness are exact up to :data:`APPROXIMATION_THRESHOLD`
    actors; above (or with ``approximate=True``) they are estimated from
    :data:`SAMPLE_SIZE` sources drawn with a fixed seed.
    """
    graph = network.graph
    n = graph.number_of_nodes()
    if approximate is None:
        approximate = n > APPROXIMATION_THRESHOLD
    if n == 0:
        return pd.DataFrame()
    if approximate and n > SAMPLE_SIZE:
        betweenness = nx.betweenness_centrality(graph, k=SAMPLE_SIZE, seed=SEED, normalized=True)
        closeness = _sampled_harmonic(graph, SAMPLE_SIZE)
    else:
        betweenness = nx.betweenness_centrality(graph, normalized=True)
        closeness = nx.harmonic_centrality(graph)
    scale = 1 / (n - 1) if n > 1 else 0.0
    constraint = nx.constraint(graph, weight="weight")
    effective = nx.effective_size(graph, weight="weight")
    cores = nx.core_number(graph)
    communities = communities_of(graph)
    rows = []
    for node, data in graph.nodes(data=True):
        rows.append(
            {
                "acteur": node,
                "nom": data["nom"],
                "famille": data["famille"],
                "type": data["type"],
                "role": data["role"],
                "degre": graph.degree(node),
                "degre_entrant": network.directed.in_degree(node),
                "degre_sortant": network.directed.out_degree(node),
                "degre_pondere": graph.degree(node, weight="weight"),
                "intermediarite": round(betweenness[node], 4),
                "proximite_harmonique": round(closeness[node] * scale, 4),
                "contrainte": round(constraint[node], 4) if constraint[node] == constraint[node] else None,
                "taille_effective": round(effective[node], 3) if effective[node] == effective[node] else None,
                "k_coeur": cores[node],
                "communaute": communities.get(node),
                "isole": graph.degree(node) == 0,
            }
        )
    table = pd.DataFrame(rows).set_index("acteur")
    table.attrs["approximation"] = bool(approximate and n > SAMPLE_SIZE)
    return table.sort_values(["intermediarite", "degre"], ascending=False)


def _sampled_harmonic(graph: nx.Graph, k: int) -> dict[str, float]:
    """Harmonic closeness estimated from ``k`` random sources (seeded): each node's sum
    of 1/distance over the sample, scaled to the whole network."""
    import random

    nodes = list(graph.nodes)
    sample = random.Random(SEED).sample(nodes, k)
    totals = dict.fromkeys(nodes, 0.0)
    for source in sample:
        for target, distance in nx.single_source_shortest_path_length(graph, source).items():
            if distance:
                totals[target] += 1.0 / distance
    factor = (len(nodes) - 1) / k
    return {node: value * factor for node, value in totals.items()}


def communities_of(graph: nx.Graph) -> dict[str, int]:
    """Louvain communities (seeded), numbered from 1 by decreasing size; isolated
    actors get no community."""
    connected = graph.subgraph([n for n in graph.nodes if graph.degree(n) > 0])
    if connected.number_of_edges() == 0:
        return {}
    found = nx.community.louvain_communities(connected, weight="weight", seed=SEED)
    ordered = sorted(found, key=lambda c: (-len(c), sorted(c)[0]))
    return {node: i + 1 for i, members in enumerate(ordered) for node in members}


def communities_vs_families(network: Network, metrics: pd.DataFrame) -> dict[str, Any]:
    """Do actors work within their family (silos) or across sectors?"""
    graph = network.graph
    edges = list(graph.edges)
    cross = sum(1 for a, b in edges if graph.nodes[a]["famille"] != graph.nodes[b]["famille"])
    rows = []
    if "communaute" in metrics.columns:
        for community, members in metrics.dropna(subset=["communaute"]).groupby("communaute"):
            families = members["famille"].value_counts()
            rows.append(
                {
                    "communaute": int(community),
                    "acteurs": len(members),
                    "familles": int(families.size),
                    "famille_principale": families.index[0],
                    "part_famille_principale": round(families.iloc[0] / len(members), 3),
                    "membres": "|".join(members.index),
                }
            )
    try:
        assortativity = nx.attribute_assortativity_coefficient(graph, "famille") if edges else None
    except (ZeroDivisionError, ValueError):
        assortativity = None
    return {
        "part_relations_entre_familles": round(cross / len(edges), 4) if edges else None,
        "assortativite_famille": None if assortativity is None or assortativity != assortativity else round(assortativity, 4),
        "communautes": rows,
    }


def partner_category(role: str | None, relation_types: set[str], towards_ego: set[str]) -> str:
    """Practical category of a partner: from its role, else from the relations."""
    category = vocab.partner_category(role) if role else None
    if category:
        return category
    if towards_ego & {"financement", "tutelle"}:
        return "financeurs"
    if "orientation" in towards_ego:
        return "prescripteurs"
    if relation_types:
        return "terrain"
    return "non-classes"


@dataclass
class Ego:
    """Partners of one structure."""

    ego: str
    name: str
    partners: pd.DataFrame  # one row per partner: category, relations, forms, formalisation, intensity
    second: pd.DataFrame  # partners of partners (radius 2)
    relations: pd.DataFrame  # relations between the ego and its partners

    def by_category(self) -> dict[str, list[str]]:
        return {c: self.partners.index[self.partners["categorie"] == c].tolist() for c in (*CATEGORIES, "non-classes")}


def ego_network(network: Network, ego: str, *, radius: int = 1) -> Ego:
    """Partners of ``ego`` by category, form and formalisation (and, with
    ``radius=2``, the partners of its partners)."""
    from territoire._errors import TerritoireError

    graph = network.graph
    if ego not in graph:
        raise TerritoireError(f"« {ego} » n'est pas dans le réseau (identifiant inconnu, ou acteur sans relation).")
    rel = network.relations
    mine = rel[(rel["source"] == ego) | (rel["cible"] == ego)].copy()
    mine["partenaire"] = [c if s == ego else s for s, c in zip(mine["source"], mine["cible"], strict=True)]
    rows = []
    for partner, part in mine.groupby("partenaire"):
        types = {t for t in part["type"] if t}
        towards = {t for t, s in zip(part["type"], part["source"], strict=True) if t and s == partner}
        data = graph.nodes[partner]
        forms = sorted({f for f in part["forme"] if f})
        formal = "convention" if (part["formalisation"] == "convention").any() else (
            "charte" if (part["formalisation"] == "charte").any() else ("aucune" if (part["formalisation"] == "aucune").any() else None)
        )
        rows.append(
            {
                "partenaire": partner,
                "nom": data["nom"],
                "famille": data["famille"],
                "type": data["type"],
                "role": data["role"],
                "categorie": partner_category(data["role"], types, towards),
                "types_relation": "|".join(sorted(types)),
                "formes": "|".join(forms),
                "forme_principale": Counter(f for f in part["forme"] if f).most_common(1)[0][0] if forms else None,
                "formalisation": formal,
                "intensite": int(part["intensite"].max()),
                "relations": len(part),
            }
        )
    partners = pd.DataFrame(rows, columns=["partenaire", "nom", "famille", "type", "role", "categorie", "types_relation", "formes", "forme_principale", "formalisation", "intensite", "relations"]).set_index("partenaire")
    second_rows = []
    if radius >= 2:
        direct = set(partners.index)
        for partner in direct:
            for other in graph.neighbors(partner):
                if other != ego and other not in direct:
                    second_rows.append({"acteur": other, "nom": graph.nodes[other]["nom"], "via": partner})
    second = pd.DataFrame(second_rows, columns=["acteur", "nom", "via"])
    if len(second):
        second = second.groupby(["acteur", "nom"])["via"].agg(lambda v: "|".join(sorted(v))).reset_index().set_index("acteur")
    return Ego(ego, graph.nodes[ego]["nom"], partners, second, mine)


@dataclass
class Scenario:
    """Effect of removing actors or relations from the network."""

    removed_actors: list[str]
    removed_relations: list[tuple[str, str]]
    newly_isolated: list[str]
    split_components: list[list[list[str]]]
    lost_coverage: pd.DataFrame  # domaine, communes (codes), population
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)


def scenario(
    actors,
    relations: pd.DataFrame,
    *,
    without_actors: Sequence[str] = (),
    without_relations: Sequence[tuple[str, str]] = (),
    date: dt.date | None = None,
    coverage_before=None,
    coverage_after=None,
    communes: pd.DataFrame | None = None,
) -> Scenario:
    """What changes without some actors or relations: who becomes isolated, which
    components split and — given the coverage counts by domain before and after
    (frames commune × domain, see :func:`territoire.couverture.counts_by`) — which
    communes lose all coverage in which domain."""
    before = build_graph(actors, relations, date=date)
    after = build_graph(actors, relations, date=date, without_actors=without_actors, without_relations=without_relations)
    isolated_before = {n for n in before.graph.nodes if before.graph.degree(n) == 0}
    newly = sorted(n for n in after.graph.nodes if after.graph.degree(n) == 0 and n not in isolated_before)
    splits = []
    after_component = {}
    for index, component in enumerate(nx.connected_components(after.graph)):
        for node in component:
            after_component[node] = index
    for component in nx.connected_components(before.graph):
        remaining = [n for n in component if n in after_component]
        pieces: dict[int, list[str]] = {}
        for node in remaining:
            pieces.setdefault(after_component[node], []).append(node)
        if len(pieces) > 1:
            splits.append(sorted((sorted(p) for p in pieces.values()), key=len, reverse=True))
    lost = pd.DataFrame(columns=["domaine", "communes", "codes", "population"])
    if coverage_before is not None and coverage_after is not None:
        rows = []
        population = communes["population"] if communes is not None else None
        for domain in coverage_before.columns:
            if domain == "tous" or domain not in coverage_after.columns:
                continue
            gone = coverage_before.index[(coverage_before[domain] > 0) & (coverage_after[domain].reindex(coverage_before.index).fillna(0) == 0)]
            if len(gone):
                pop = int(population.reindex(gone).fillna(0).sum()) if population is not None else None
                rows.append({"domaine": domain, "communes": len(gone), "codes": "|".join(gone), "population": pop})
        lost = pd.DataFrame(rows, columns=["domaine", "communes", "codes", "population"])
    return Scenario(
        list(without_actors), list(without_relations), newly, splits, lost,
        whole_network(before), whole_network(after),
    )


def changes_between(relations: pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Relations that began or ended between two dates (inclusive), with what happened."""
    rel = relations[relations["valide"]]
    began = rel["debut"].map(lambda d: d is not None and start <= d <= end)
    ended = rel["fin"].map(lambda d: d is not None and start <= d <= end)
    rows = []
    for row, b, e in zip(rel.itertuples(), began, ended, strict=True):
        if b:
            rows.append({"evenement": "début", "date": row.debut, "source": row.source, "cible": row.cible, "type": row.type, "objet": row.objet})
        if e:
            rows.append({"evenement": "fin", "date": row.fin, "source": row.source, "cible": row.cible, "type": row.type, "objet": row.objet})
    frame = pd.DataFrame(rows, columns=["evenement", "date", "source", "cible", "type", "objet"])
    return frame.sort_values(["date", "evenement"], ignore_index=True)


def to_exchange_graph(network: Network, metrics: pd.DataFrame) -> nx.Graph:
    """Graph with plain attributes only (strings, numbers), ready for GEXF/GraphML."""
    graph = nx.Graph()
    for node, data in network.graph.nodes(data=True):
        attributes = dict(data.items())
        if node in metrics.index:
            for column in ("degre", "degre_pondere", "intermediarite", "proximite_harmonique", "k_coeur"):
                attributes[column] = float(metrics.at[node, column])
            community = metrics.at[node, "communaute"]
            attributes["communaute"] = int(community) if community == community and community is not None else 0
        graph.add_node(node, label=data["nom"], **attributes)
    for a, b, data in network.graph.edges(data=True):
        graph.add_edge(a, b, weight=float(data["weight"]), relations=int(data["relations"]), types=data["types"])
    return graph


def write_tables(report: NetworkReport, folder) -> list:
    """Write the network's tables into ``folder``: measures per actor (CSV), the graph
    for Gephi (GEXF, GraphML) and, when computed, the changes over time (CSV)."""
    from pathlib import Path

    from territoire._io import atomic_write_text

    folder = Path(folder)
    written = [folder / "reseau_acteurs.csv", folder / "reseau.gexf", folder / "reseau.graphml"]
    atomic_write_text(written[0], "\ufeff" + report.metrics.to_csv(sep=";", lineterminator="\n"))
    exchange = to_exchange_graph(report.network, report.metrics)
    nx.write_gexf(exchange, written[1])
    nx.write_graphml(exchange, written[2])
    if report.changes is not None:
        written.append(folder / "reseau_evolution.csv")
        atomic_write_text(written[-1], "\ufeff" + report.changes.to_csv(sep=";", index=False, lineterminator="\n"))
    return written


@dataclass
class NetworkReport:
    """Everything ``territoire reseau`` computes."""

    network: Network
    whole: dict[str, Any]
    metrics: pd.DataFrame
    communities: dict[str, Any]
    ego: Ego | None
    scenario: Scenario | None
    changes: pd.DataFrame | None
    date: dt.date | None


def analyse_workspace(
    directory,
    *,
    date: dt.date | None = None,
    ego: str | None = None,
    radius: int = 1,
    without: Sequence[str] = (),
    since: dt.date | None = None,
    until: dt.date | None = None,
    approximate: bool | None = None,
) -> NetworkReport:
    """Every network analysis of a parsed directory, with the coverage side of the
    scenario (communes that would lose all offer in a domain)."""
    from territoire._errors import TerritoireError

    actors, relations = directory.actors, directory.relations
    network = build_graph(actors, relations, date=date)
    whole = whole_network(network)
    metrics = actor_metrics(network, approximate=approximate)
    communities = communities_vs_families(network, metrics)
    ego_report = None
    if ego:
        if ego not in actors.index:
            from territoire._text import closest_ids

            close = closest_ids(ego, list(actors.index))
            hint = f" Vouliez-vous dire : {', '.join(close)} ?" if close else ""
            raise TerritoireError(f"--ego « {ego} » : aucun acteur n'a cet identifiant.{hint}")
        if ego in network.graph:
            ego_report = ego_network(network, ego, radius=radius)
    scenario_report = None
    if without:
        removed_actors: list[str] = []
        removed_relations: list[tuple[str, str]] = []
        for text in without:
            kind, value = parse_removal(text, actors.index)
            (removed_actors if kind == "acteur" else removed_relations).append(value)
        coverage_before = coverage_after = communes = None
        if removed_actors:
            from territoire.analyses.couverture import Options, analyse

            before = analyse(directory, Options(date=date))
            after = analyse(directory, Options(date=date, exclude=tuple(removed_actors), domaines=list(before.counts.columns[1:]) or None))
            coverage_before, coverage_after, communes = before.counts, after.counts, before.communes
        scenario_report = scenario(
            actors, relations, without_actors=removed_actors, without_relations=removed_relations, date=date,
            coverage_before=coverage_before, coverage_after=coverage_after, communes=communes,
        )
    changes = None
    if since or until:
        start = since or dt.date.min
        end = until or dt.date.max
        if end < start:
            raise TerritoireError("--jusqu-a précède --depuis : inversez les deux dates.")
        changes = changes_between(relations, start, end)
    return NetworkReport(network, whole, metrics, communities, ego_report, scenario_report, changes, date)
