"""Plain-text renderings for the terminal (tables, profiles, summaries)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ._text import fmt_float, fmt_int, plural


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
    from .vocab import vocabulary as get

    text = get(vocabulary).label(code)
    if vocabulary in ("domaines", "publics", "types_relation", "formes") and not text[:2].isupper():
        return text[:1].lower() + text[1:]
    return text


def _names(codes: str, names, limit: int = 8) -> str:
    if codes.startswith("("):
        return codes.strip("()")
    items = [names.get(c, c) for c in codes.split("|") if c]
    shown = ", ".join(items[:limit])
    return shown + (f" et {len(items) - limit} autres" if len(items) > limit else "")


def render_analysis(analysis, results_dir=None) -> str:
    """French summary of a coverage analysis, the main findings in numbers."""
    from ._text import fmt_float, fmt_int, fmt_pct, plural

    communes = analysis.communes
    names = dict(zip(communes.index, communes["nom"]))
    actor_names = dict(zip(analysis.actors.index, analysis.actors["nom"]))
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
    lines.append("Zones blanches par domaine (communes couvertes par aucun acteur) :")
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
    lines.append("")
    overlaps = analysis.overlaps
    pairs = overlaps.groupby(["acteur_a", "acteur_b"], sort=False).agg(
        type=("type", "first"), domaines=("domaines", list), communes=("communes_partagees", "max"),
        population=("population_partagee", "max"), jaccard=("jaccard", "max"), codes=("codes", "first"),
    ).reset_index() if len(overlaps) else overlaps
    lines.append(f"Chevauchements (acteurs de même type et même domaine sur les mêmes communes) : {plural(len(pairs), 'paire')}")
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
    lines.append("")
    splits = analysis.splits
    lines.append(
        f"Découpages qui se contredisent : {plural(splits['acteur'].nunique() if len(splits) else 0, 'secteur')} "
        f"coupe(nt) des EPCI ou des cantons ; {plural(len(analysis.crossings), 'paire')} de secteurs publics se croisent."
    )
    territory = set(communes.index)
    beyond = splits[splits["niveau"] == "EPCI"] if len(splits) else splits
    shown = 0
    for row in beyond.itertuples():
        if shown < 4 and row.code not in set(communes["epci"]):
            lines.append(f"  - {row.phrase}")
            shown += 1
    for row in analysis.crossings.head(3).itertuples():
        lines.append(f"  - {row.phrase}")
    del territory
    lines.append("")
    summary = analysis.distance_summary
    if len(summary):
        limits = analysis.options.distances
        lines.append("Distance aux services (ligne droite depuis la mairie ; moyenne pondérée par la population) :")
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
    density = analysis.density
    if len(density):
        epci_rows = density[(density["niveau"] == "epci") & (density["dimension"] == "famille")]
        if len(epci_rows):
            lines.append("Densité de l'offre (acteurs implantés pour 10 000 habitants, par famille) :")
            for unit, part in epci_rows.groupby("nom", sort=False):
                detail = ", ".join(
                    f"{_label('familles', r.valeur).split(' (')[0]} {fmt_float(r.pour_10000_habitants)}"
                    for r in part.sort_values("pour_10000_habitants", ascending=False).itertuples()
                )
                lines.append(f"  - {unit} : {detail}")
    if results_dir is not None:
        lines.append("")
        lines.append(f"Tableaux détaillés (CSV) : {results_dir}")
    return "\n".join(lines)
