"""Plain-text renderings for the terminal (tables, profiles, summaries)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from territoire._text import fmt_float, fmt_int, fmt_pct, join_fr, plural


def table(rows: Iterable[Sequence[Any]], headers: Sequence[str], *, align: Sequence[str] | None = None) -> str:
    """Aligned text table (no borders), numbers already formatted by the caller."""
    from tabulate import tabulate

    return tabulate(
        list(rows),
        headers=list(headers),
        tablefmt="simple",
        colalign=tuple(align) if align else None,
        disable_numparse=True,
    )


def render_profile(profile) -> str:
    """Human summary of a :class:`~territoire.profil.Profile`, in French."""
    lines = [profile.label, "=" * len(profile.label)]
    lines.append(
        f"{plural(len(profile.communes), 'commune')} — {fmt_int(profile.population)} habitants — "
        f"{fmt_float(profile.surface_km2)} km² — {fmt_float(profile.density)} hab./km²"
    )
    deps = profile.departements
    lines.append(
        "Département(s) : "
        + ", ".join(
            f"{row.nom} ({code}, {row.communes_dans_le_territoire}/{row.communes_total} communes)"
            for code, row in deps.iterrows()
        )
    )
    lines.append("Région(s) : " + ", ".join(f"{row.nom} ({code})" for code, row in profile.regions.iterrows()))
    lines.append("")
    lines.append(f"Intercommunalités (EPCI) touchées : {len(profile.epci)}")
    for siren, row in profile.epci.iterrows():
        whole = "en entier" if row.entier else "en partie"
        lines.append(
            f"  - {row.nom} ({siren}) : {row.communes_dans_le_territoire} communes sur "
            f"{row.communes_total}, {whole}"
        )
    cantons = profile.cantons
    partial = int((~cantons["entier"]).sum()) if len(cantons) else 0
    lines.append(f"Cantons touchés : {len(cantons)} (dont {partial} en partie)")
    for code, row in cantons.iterrows():
        whole = "en entier" if row.entier else "en partie"
        lines.append(
            f"  - {row.nom} ({code}) : {row.communes_dans_le_territoire} communes sur "
            f"{row.communes_total}, {whole}"
        )
    lines.append("")
    lines.append("Classes de densité des communes :")
    for label, row in profile.density_classes.iterrows():
        lines.append(
            f"  - {label} : {plural(int(row.communes), 'commune')}, {fmt_int(row.population)} habitants"
        )
    lines.append("")
    lines.append("Communes :")
    rows = [
        (
            code,
            row.nom,
            fmt_int(row.population),
            fmt_float(row.surface_km2, 2),
            fmt_float(row.densite_hab_km2),
            row.classe_densite,
        )
        for code, row in profile.communes.iterrows()
    ]
    lines.append(
        table(
            rows,
            ["Code", "Commune", "Population", "Surface (km²)", "Densité (hab./km²)", "Classe de densité"],
            align=["left", "left", "right", "right", "right", "left"],
        )
    )
    lines.append("")
    lines.extend(f"Note : {note}" for note in profile.notes)
    return "\n".join(lines)


def _label(vocabulary: str, code: str) -> str:
    """Label of a code, lower-cased for use inside a sentence (domains, publics)."""
    from territoire.dossier.vocab import vocabulary as get

    text = get(vocabulary).label(code)
    acronym = text[:2].isalpha() and text[:2].isupper()
    if vocabulary in ("domaines", "publics", "types_relation", "formes", "formalisations") and not acronym:
        return text[:1].lower() + text[1:]
    return text


def _names(codes: str, names, limit: int = 8) -> str:
    if codes.startswith("("):
        return codes.strip("()")
    items = [names.get(c, c) for c in codes.split("|") if c]
    shown = ", ".join(items[:limit])
    return shown + (f" et {len(items) - limit} autres" if len(items) > limit else "")


def render_analysis(analysis, results_dir=None) -> str:
    """French summary of a coverage analysis, the main findings in numbers.

    Sections: the territory and the actors left out, white zones by domain and type,
    overlaps, contradicting boundaries, distances to services, density of the offer.
    """
    communes = analysis.communes
    names = dict(zip(communes.index, communes["nom"], strict=True))
    actor_names = dict(zip(analysis.actors.index, analysis.actors["nom"], strict=True))
    lines = _analysis_header(analysis)
    lines += _analysis_gaps(analysis, names)
    lines.append("")
    lines += _analysis_overlaps(analysis, names, actor_names)
    lines.append("")
    lines += _analysis_boundaries(analysis)
    lines.append("")
    lines += _analysis_distances(analysis)
    lines += _analysis_density(analysis)
    if results_dir is not None:
        lines.append("")
        lines.append(f"Tableaux détaillés (CSV) : {results_dir}")
    return "\n".join(lines)


def _analysis_header(analysis) -> list[str]:
    """Title, size of the territory, actors left out and the coverage rule."""
    communes = analysis.communes
    total_pop = int(communes["population"].fillna(0).sum())
    lines = [f"Analyse de la couverture — {analysis.territory_label}", ""]
    left = analysis.left_out
    lines.append(
        f"{plural(len(communes), 'commune')}, {fmt_int(total_pop)} habitants ; "
        f"{plural(len(analysis.actors), 'acteur')} dans l'analyse"
        + (f", dont {plural(left['acteur'].nunique(), 'acteur')} en partie ou entièrement laissé(s) de côté." if len(left) else ".")
    )
    for row in left.itertuples():
        lines.append(f"  - laissé de côté ({row.portee}) : {row.acteur} ({row.nom}) : {row.raison}")
    lines.append(
        f"Règle : un rayon ou une zone couvre une commune à partir de {fmt_pct(analysis.coverage.threshold, 1)} de sa surface."
    )
    lines.append("")
    return lines


def _analysis_gaps(analysis, names) -> list[str]:
    """White zones: communes without any actor of a domain (largest population
    first), then types of actor whose sectors leave out some communes (at most half)."""
    lines = ["Zones blanches par domaine (communes couvertes par aucun acteur) :"]
    found = analysis.gaps[(analysis.gaps["valeur"] != "tous") & (analysis.gaps["communes_sans_acteur"] > 0)]
    found = found.sort_values("population_sans_acteur", ascending=False)
    for row in found.itertuples():
        lines.append(
            f"  - {plural(row.communes_sans_acteur, 'commune')} ({fmt_int(row.population_sans_acteur)} habitants, "
            f"{fmt_pct(row.population_sans_acteur, row.population_totale)}) sans aucun acteur du domaine "
            f"{_label('domaines', row.valeur)} : {_names(row.codes, names)}"
        )
    complete = len(analysis.gaps) - 1 - len(found)
    if complete > 0:
        lines.append(f"  - les {plural(complete, 'autre domaine', 'autres domaines')} de l'annuaire couvrent toutes les communes.")
    if not len(found) and not complete:
        lines.append("  - aucun domaine renseigné dans l'annuaire.")
    holes = analysis.type_gaps[
        (analysis.type_gaps["communes_sans_acteur"] > 0)
        & (analysis.type_gaps["communes_sans_acteur"] <= analysis.type_gaps["communes_total"] / 2)
    ]
    for row in holes.itertuples():
        lines.append(
            f"  - type {_label('types', row.valeur)} : {plural(row.communes_sans_acteur, 'commune')} "
            f"({fmt_int(row.population_sans_acteur)} habitants) hors de tout secteur : {_names(row.codes, names)}"
        )
    return lines


def _analysis_overlaps(analysis, names, actor_names) -> list[str]:
    """Overlapping actors of the same type and domain (one line per pair, its
    domains together), then overlaps without any declared relation."""
    overlaps = analysis.overlaps
    pairs = overlaps.groupby(["acteur_a", "acteur_b"], sort=False).agg(
        type=("type", "first"), domaines=("domaines", list), communes=("communes_partagees", "max"),
        population=("population_partagee", "max"), jaccard=("jaccard", "max"), codes=("codes", "first"),
    ).reset_index() if len(overlaps) else overlaps
    lines = [f"Chevauchements (acteurs de même type et même domaine sur les mêmes communes) : {plural(len(pairs), 'paire')}"]
    for row in pairs.head(6).itertuples():
        domains = ", ".join(_label("domaines", d) for d in row.domaines)
        lines.append(
            f"  - {actor_names[row.acteur_a]} et {actor_names[row.acteur_b]} ({row.type} ; {domains}) : "
            f"{plural(row.communes, 'commune')} en commun ({_names(row.codes, names, 4)}, {fmt_int(row.population)} habitants), "
            f"indice de Jaccard {fmt_float(row.jaccard, 2)}"
        )
    uncoordinated = analysis.uncoordinated
    same = uncoordinated[uncoordinated["meme_type"]] if len(uncoordinated) else uncoordinated
    lines.append(
        f"Chevauchements sans coordination (même domaine, mêmes communes, aucune relation déclarée) : "
        f"{plural(len(uncoordinated), 'paire')}, dont {len(same)} entre acteurs de même type"
    )
    for row in same.head(5).itertuples():
        domains = ", ".join(_label("domaines", d) for d in row.domaines.split("|"))
        lines.append(
            f"  - {actor_names[row.acteur_a]} et {actor_names[row.acteur_b]} ({domains}) : "
            f"{_names(row.codes, names, 4)} ({fmt_int(row.population_partagee)} habitants)"
        )
    return lines


def _analysis_boundaries(analysis) -> list[str]:
    """Sectors cutting EPCI or cantons (listing the first four that cut an EPCI from
    outside the territory) and crossing public sectors (the first three)."""
    splits = analysis.splits
    lines = [
        f"Découpages qui se contredisent : {plural(splits['acteur'].nunique() if len(splits) else 0, 'secteur')} "
        f"coupe(nt) des EPCI ou des cantons ; {plural(len(analysis.crossings), 'paire')} de secteurs publics se croisent."
    ]
    beyond = splits[splits["niveau"] == "EPCI"] if len(splits) else splits
    territory_epci = set(analysis.communes["epci"]) if len(beyond) else set()
    shown = 0
    for row in beyond.itertuples():
        if shown < 4 and row.code not in territory_epci:
            lines.append(f"  - {row.phrase}")
            shown += 1
    for row in analysis.crossings.head(3).itertuples():
        lines.append(f"  - {row.phrase}")
    return lines


def _analysis_distances(analysis) -> list[str]:
    """Table of the distances to services by domain (empty without distances)."""
    summary = analysis.distance_summary
    if not len(summary):
        return []
    limits = analysis.options.distances
    lines = ["Distance aux services (ligne droite depuis la mairie ; moyenne pondérée par la population) :"]
    headers = ["Domaine", "Compétent (km)", "Plus proche (km)", "Communes sans compétent"] + [
        f"Hab. > {fmt_float(v, 0)} km" for v in limits
    ]
    rows = []
    for row in summary.to_dict(orient="records"):
        rows.append(
            [
                _label("domaines", row["valeur"]),
                fmt_float(row["moyenne_ponderee_competent_km"]),
                fmt_float(row["moyenne_ponderee_plus_proche_km"]),
                fmt_int(row["communes_sans_competent"]),
            ]
            + [fmt_int(row[f"population_au_dela_{v:g}km_competent"]) for v in limits]
        )
    lines.append(table(rows, headers, align=["left"] + ["right"] * (len(headers) - 1)))
    lines.append(
        "  « Compétent » : l'acteur le plus proche parmi ceux dont la couverture inclut la commune ; "
        "les habitants des communes sans acteur compétent comptent comme au-delà de tous les seuils."
    )
    lines.append("")
    return lines


def _analysis_density(analysis) -> list[str]:
    """Actors per 10 000 inhabitants by family, for each EPCI (empty without)."""
    density = analysis.density
    if not len(density):
        return []
    epci_rows = density[(density["niveau"] == "epci") & (density["dimension"] == "famille")]
    if not len(epci_rows):
        return []
    lines = ["Densité de l'offre (acteurs implantés pour 10 000 habitants, par famille) :"]
    for unit, part in epci_rows.groupby("nom", sort=False):
        detail = ", ".join(
            f"{_label('familles', r.valeur).split(' (')[0]} {fmt_float(r.pour_10000_habitants)}"
            for r in part.sort_values("pour_10000_habitants", ascending=False).itertuples()
        )
        lines.append(f"  - {unit} : {detail}")
    return lines


def render_network(report, *, title: str, commune_names=None) -> str:
    """French summary of a network analysis, the main findings in numbers.

    Sections: the whole network, central actors, communities, then if asked one
    actor's partners, a removal scenario and the changes over time.
    """
    graph_names = dict(commune_names or {})
    name = partial(_node_name, report.network.graph)
    when = f" au {report.date:%d/%m/%Y}" if report.date else ""
    lines = [f"Réseau partenarial — {title}{when}", ""]
    lines += _network_whole(report.whole, name)
    lines += _network_central(report.metrics)
    lines += _network_communities(report.communities)
    if report.ego is not None:
        lines += _network_ego(report.ego)
    if report.scenario is not None:
        lines += _network_scenario(report.scenario, name, graph_names)
    if report.changes is not None:
        lines += _network_changes(report.changes, name)
    return "\n".join(lines)


def _node_name(graph, node) -> str:
    """Name of an actor of the graph (its identifier if absent)."""
    return graph.nodes[node]["nom"] if node in graph else node


def _network_whole(whole, name) -> list[str]:
    """Size, density and components of the network, isolated actors, relations by
    formalisation, type and form, and reciprocity of the oriented ones."""
    lines = [
        f"{plural(whole['acteurs'], 'acteur')}, {plural(whole['relations'], 'relation')} "
        f"({plural(whole['paires_liees'], 'paire liée', 'paires liées')}) ; densité {fmt_float(whole['densite'], 3)} ; "
        f"{fmt_float(whole['degre_moyen'], 1)} partenaires en moyenne."
    ]
    if whole["hors_reseau"]:
        lines.append(f"({plural(whole['hors_reseau'], 'acteur')} du référentiel sans relation renseignée, hors réseau.)")
    sizes = whole["taille_composantes"]
    lines.append(
        f"{plural(whole['composantes'], 'composante')}" + (f" ; la principale réunit {sizes[0]} acteurs" if sizes else "") + "."
    )
    if whole["isoles"]:
        lines.append(f"Acteurs isolés ({len(whole['isoles'])}) : " + join_fr(name(n) for n in whole["isoles"]) + ".")
    if whole["relations"]:
        lines.append(
            f"Relations formalisées (convention, charte) : {whole['relations_formalisees']} sur {whole['relations']} "
            f"({fmt_pct(whole['relations_formalisees'], whole['relations'])}) ; informelles : {whole['relations_informelles']}."
        )
        lines.append("Par type : " + ", ".join(f"{_label('types_relation', t) if t != 'non renseigné' else t} {n}" for t, n in sorted(whole["par_type"].items(), key=lambda x: -x[1])) + ".")
        lines.append("Par forme : " + ", ".join(f"{_label('formes', f) if f != 'non renseignée' else f} {n}" for f, n in sorted(whole["par_forme"].items(), key=lambda x: -x[1])) + ".")
    if whole["relations_orientees"]:
        lines.append(
            f"Relations orientées (financement, orientation, tutelle, mise à disposition) : {whole['relations_orientees']}, "
            f"dont {fmt_pct(whole['reciprocite'], 1)} réciproques."
        )
    return lines


def _network_central(metrics) -> list[str]:
    """Central actors, brokers (betweenness, Burt's constraint) and the stable core
    (empty without actors)."""
    if not len(metrics):
        return []
    lines = [""]
    top_degree = metrics.sort_values("degre", ascending=False).head(3)
    lines.append("Acteurs centraux (nombre de partenaires) : " + ", ".join(f"{r.nom} ({r.degre})" for r in top_degree.itertuples()) + ".")
    brokers = metrics[metrics["intermediarite"] > 0].head(3)
    if len(brokers):
        lines.append("Passeurs (intermédiarité) : " + ", ".join(f"{r.nom} ({fmt_float(r.intermediarite, 2)})" for r in brokers.itertuples()) + ".")
    constrained = metrics.dropna(subset=["contrainte"])
    constrained = constrained[constrained["degre"] >= 2].sort_values("contrainte").head(3)
    if len(constrained):
        lines.append("Courtiers (contrainte de Burt la plus faible) : " + ", ".join(f"{r.nom} ({fmt_float(r.contrainte, 2)})" for r in constrained.itertuples()) + ".")
    core = int(metrics["k_coeur"].max())
    members = metrics[metrics["k_coeur"] == core]
    lines.append(f"Cœur stable ({core}-cœur, {plural(len(members), 'acteur')}) : " + join_fr(members["nom"].head(6).tolist() + (["…"] if len(members) > 6 else [])) + ".")
    if metrics.attrs.get("approximation"):
        lines.append("(Intermédiarité et proximité estimées sur un échantillon de sources, le réseau étant grand.)")
    return lines


def _network_communities(communities) -> list[str]:
    """Louvain communities, share of links across families and assortativity, with
    a reading of it (empty without communities)."""
    if not communities["communautes"]:
        return []
    cross = communities["part_relations_entre_familles"]
    r = communities["assortativite_famille"]
    reading = ""
    if r is not None:
        reading = " : on travaille plutôt entre soi" if r > 0.2 else (" : on travaille plutôt entre secteurs" if r < 0 else " : mélange modéré")
    return [
        f"Communautés (Louvain) : {len(communities['communautes'])} ; {fmt_pct(cross, 1)} des liens relient des familles "
        f"différentes ; assortativité par famille {fmt_float(r, 2)}{reading}."
    ]


def _network_ego(ego) -> list[str]:
    """One actor's partners by category, their formalisation and forms, and the
    partners of its partners."""
    from territoire.analyses.reseau import CATEGORIES, CATEGORY_LABELS

    lines = ["", f"Partenaires de {ego.name} ({len(ego.partners)}) :"]
    groups = ego.by_category()
    for category in (*CATEGORIES, "non-classes"):
        found = groups.get(category, [])
        if found or category != "non-classes":
            lines.append(f"  - {CATEGORY_LABELS[category]} ({len(found)}) : " + (join_fr(ego.partners.loc[found, "nom"]) if found else "aucun"))
    formal = ego.partners["formalisation"].value_counts()
    forms = ego.partners["forme_principale"].value_counts()
    lines.append(
        "  Formalisation : " + ", ".join(f"{_label('formalisations', k)} {v}" for k, v in formal.items())
        + " ; formes : " + ", ".join(f"{_label('formes', k)} {v}" for k, v in forms.items()) + "."
    )
    if len(ego.second):
        lines.append(f"  Partenaires de ses partenaires (rayon 2) : {len(ego.second)}.")
    return lines


def _network_scenario(scenario, name, graph_names) -> list[str]:
    """What removing actors or relations would do: newly isolated actors, split
    components, density, and communes losing every actor of a domain."""
    removed = [name(a) for a in scenario.removed_actors] + [f"{name(a)} — {name(b)}" for a, b in scenario.removed_relations]
    lines = ["", f"Scénario sans {join_fr(removed)} :"]
    lines.append(
        "  - deviendraient isolés : " + (join_fr(name(n) for n in scenario.newly_isolated) if scenario.newly_isolated else "personne") + " ;"
    )
    if scenario.split_components:
        for pieces in scenario.split_components:
            lines.append(f"  - une composante se scinderait en {len(pieces)} : " + " / ".join(plural(len(p), "acteur") for p in pieces) + " ;")
    else:
        lines.append("  - aucune composante ne se scinderait ;")
    before, after = scenario.before, scenario.after
    lines.append(f"  - composantes : {before['composantes']} → {after['composantes']} ; densité {fmt_float(before['densite'], 3)} → {fmt_float(after['densite'], 3)} ;")
    lost = scenario.lost_coverage
    if len(lost):
        for row in lost.itertuples():
            verb = "perdrait" if row.communes == 1 else "perdraient"
            names = [graph_names.get(c, c) for c in row.codes.split("|")]
            lines.append(
                f"  - {plural(row.communes, 'commune')} ({fmt_int(row.population)} habitants) {verb} toute offre du domaine "
                f"{_label('domaines', row.domaine)} : {join_fr(names[:8] + (['…'] if len(names) > 8 else []))}"
            )
    elif scenario.removed_actors:
        lines.append("  - aucune commune ne perdrait toute offre dans un domaine.")
    return lines


def _network_changes(changes, name) -> list[str]:
    """Relations begun and ended over the period, one line per event."""
    began = changes[changes["evenement"] == "début"]
    ended = changes[changes["evenement"] == "fin"]
    lines = ["", f"Évolution : {plural(len(began), 'relation commencée', 'relations commencées')}, {plural(len(ended), 'relation terminée', 'relations terminées')}."]
    for row in changes.itertuples():
        lines.append(f"  - {row.date:%d/%m/%Y} : {row.evenement} de « {name(row.source)} — {name(row.cible)} » ({_label('types_relation', row.type) if row.type else 'type non renseigné'})")
    return lines
