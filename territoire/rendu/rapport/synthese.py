"""The closing sections of the report: findings drawn from the data, questions for
the student's own analysis, limits and sources, annexes."""

from __future__ import annotations

from territoire._text import fmt_float, fmt_int, fmt_pct, plural
from territoire.rendu.rapport.blocs import Bullets, Heading, Material, Paragraph, Table
from territoire.rendu.rapport.phrases import (
    code_label,
    count_verb,
    directory_reference,
    domain_gaps,
)


def data_findings(material: Material) -> list[str]:
    """Findings written from the data, each with its number and its source."""
    out = []
    src = "annuaire du dossier"
    if material.coverage is not None:
        gaps = domain_gaps(material.coverage)
        gaps = gaps[gaps["communes_sans_acteur"] > 0]
        for r in gaps.head(3).itertuples():
            out.append(
                f"D'après l'{src}, {plural(r.communes_sans_acteur, 'commune')} ({fmt_int(r.population_sans_acteur)} habitants, "
                f"{fmt_pct(r.population_sans_acteur, r.population_totale)} de la population) ne sont couvertes par aucun acteur du domaine "
                f"{code_label('domaines', r.valeur, True)}."
            )
        same = material.coverage.uncoordinated
        same = same[same["meme_type"]] if len(same) else same
        actor_names = material.actor_names
        for r in same.head(2).itertuples():
            out.append(
                f"{actor_names[r.acteur_a]} et {actor_names[r.acteur_b]} interviennent tous deux ({', '.join(code_label('domaines', d, True) for d in r.domaines.split('|'))}) "
                f"sur {plural(r.communes_partagees, 'commune')} en commun sans relation déclarée entre eux (source : {src} et relations.csv)."
            )
        crossings = material.coverage.crossings
        if len(crossings):
            out.append(f"{plural(len(crossings), 'paire')} de secteurs d'institutions différentes se recoupent sans coïncider (source : {src}) ; par exemple, {crossings.iloc[0]['phrase']}.")
    if material.network is not None and material.network.whole["relations"]:
        whole = material.network.whole
        graph = material.network.network.graph
        out.append(
            f"{fmt_pct(whole['relations_formalisees'], whole['relations'])} des {whole['relations']} relations en cours sont formalisées "
            f"(convention ou charte) (source : relations.csv)."
        )
        metrics = material.network.metrics
        if len(metrics) and metrics["intermediarite"].max() > 0:
            import networkx as nx

            top = metrics["intermediarite"].idxmax()
            text = (
                f"{graph.nodes[top]['nom']} est le principal passeur du réseau (intermédiarité {fmt_float(metrics.at[top, 'intermediarite'], 2)} : "
                f"part des plus courts chemins entre les autres acteurs qui passent par lui)"
            )
            if top in set(nx.articulation_points(graph)):
                component = nx.node_connected_component(graph, top)
                without = graph.subgraph(component - {top})
                # partners of its component left outside the largest remaining piece
                cut_off = len(component) - 1 - max((len(c) for c in nx.connected_components(without)), default=0)
                text += f" ; sans lui, {plural(cut_off, 'acteur')} n'aurai{'en' if cut_off > 1 else ''}t plus aucun lien avec le reste du réseau"
            out.append(text + " (source : relations.csv).")
        if whole["isoles"]:
            isolated = count_verb(len(whole["isoles"]), "acteur", "n'a", "n'ont")
            out.append(f"{isolated} aucune relation en cours parmi ceux du réseau (source : relations.csv).")
    return out


def analysis_questions(material: Material) -> list[tuple[str, list[str]]]:
    """Questions for the student's own analysis (course framework), with the data's hints."""
    gap_domain = None
    if material.coverage is not None:
        gaps = domain_gaps(material.coverage)
        gaps = gaps[gaps["communes_sans_acteur"] > 0]
        if len(gaps):
            gap_domain = code_label("domaines", gaps.iloc[0]["valeur"], True)
    structure = "votre structure de stage"
    if material.network is not None and material.network.ego is not None:
        structure += f" ({material.network.ego.name})"
    return [
        ("Ce qui fonctionne, et pourquoi", [
            f"Quels partenariats de {structure} produisent des effets visibles pour les personnes accompagnées ? Sur quoi reposent-ils (convention, habitudes de travail, personnes) ?",
            "Quelles relations sont d'initiative, lesquelles sont imposées ? Cela change-t-il leur fonctionnement ?",
        ]),
        ("Limites et blocages", [
            (f"Pourquoi aucun acteur ne couvre-t-il certaines communes dans le domaine {gap_domain} ? Est-ce un manque d'offre, ou un service présent que l'annuaire ignore ?" if gap_domain
             else "Où l'offre manque-t-elle malgré tout, que l'annuaire ne montre pas ?"),
            "Les découpages qui se contredisent compliquent-ils l'orientation des personnes ? Comment les professionnels s'en arrangent-ils ?",
            "Le cadre, le calendrier, l'inégal engagement des partenaires ou la multiplicité des acteurs freinent-ils le travail commun ?",
        ]),
        ("Pilotage, coordination et équité", [
            "Qui coordonne ? Qui décide ? La place de chacun est-elle équitable, notamment celle des associations et des habitants ?",
            "Les chevauchements sans coordination relevés ici sont-ils connus des acteurs ? Faut-il une instance commune ?",
        ]),
        ("Communication", [
            "Comment les partenaires s'informent-ils ? Les personnes accompagnées savent-elles à qui s'adresser ?",
        ]),
        ("Retours du public", [
            "Que disent les personnes concernées de l'accès aux services (distance, horaires, démarches en ligne) ? Comment les avez-vous recueillis ?",
        ]),
        ("Évolutions possibles", [
            "Quelles relations sont récentes, lesquelles ont pris fin ? Que devient le réseau si un acteur central disparaît (voir le scénario de territoire reseau --sans) ?",
            "Quelles actions partenariales proposeriez-vous pour réduire une zone blanche ou un chevauchement ?",
        ]),
        ("Ce que les données ne montrent pas : les représentations", [
            "Comment les habitants se représentent-ils leur territoire (territoire vécu) par rapport aux découpages administratifs (territoire prescrit) ?",
            "Quelles tensions, alliances ou rivalités entre acteurs avez-vous observées, que ni l'annuaire ni les relations ne disent ?",
        ]),
    ]


def limits_section(material: Material, blocks: list) -> None:
    blocks.append(Heading(1, "6. Limites et sources", "limites"))
    items = [
        "Les distances sont mesurées à vol d'oiseau depuis la mairie de chaque commune ; les temps de trajet réels, les transports et les horaires ne sont pas pris en compte.",
        "La couverture est celle que déclare chaque acteur (sa zone d'intervention), pas son activité réelle ni sa capacité d'accueil.",
        "Les surfaces viennent des contours simplifiés de la source et peuvent différer de quelques pour cent des superficies publiées par l'Insee ; les classes de densité sont indicatives.",
        f"Découpages et populations : {directory_reference(material)} ; la source ne précise pas le millésime des populations municipales.",
    ]
    if material.directory is not None:
        actors = material.directory.actors
        missing = []
        no_domain = int((actors["domaines"].map(len) == 0).sum())
        if no_domain:
            missing.append(f"{no_domain} acteurs sans domaine renseigné (dont les mairies du référentiel)")
        unlocated = int((actors["localisation"] == "non localisé").sum())
        if unlocated:
            missing.append(f"{unlocated} acteurs non localisés")
        at_town_hall = int((actors["localisation"] == "mairie de la commune").sum())
        if at_town_hall:
            missing.append(f"{at_town_hall} acteurs placés à la mairie de leur commune, faute de coordonnées")
        relations = material.directory.relations
        no_dates = int((relations["debut"].isna()).sum())
        if len(relations) and no_dates:
            missing.append(f"{no_dates} relations sans date de début")
        if material.network is not None and material.network.whole["hors_reseau"]:
            missing.append(f"{material.network.whole['hors_reseau']} acteurs du référentiel sans relation renseignée, laissés hors du réseau")
        illustrative = int((actors["source"] == "illustratif").sum())
        if illustrative:
            missing.append(f"{illustrative} acteurs et les relations marqués « illustratif » sont inventés (dossier de démonstration)")
        errors = len(material.directory.errors)
        if errors:
            missing.append(f"{errors} erreurs restent dans l'annuaire (territoire acteurs valider)")
        if missing:
            items.append("Ce que le dossier ne contient pas ou contient d'incertain : " + " ; ".join(missing) + ".")
    blocks.append(Bullets(items))


def annexes_section(material: Material, blocks: list) -> None:
    blocks.append(Heading(1, "7. Annexes", "annexes", wide=True))
    if material.directory is None:
        return
    from territoire.dossier.couvertures import describe_coverage

    actors = material.directory.actors
    blocks.append(Heading(2, "Annuaire des acteurs"))
    rows = [
        [a["nom"], code_label("types", a["type"]) if a["type"] else "", a["commune_nom"] or "", a["telephone"], a["courriel"], a["site"],
         describe_coverage(a["couverture_items"], default=bool(a["couverture_defaut"])), a["notes"] or ""]
        for _, a in actors.sort_values(["famille", "nom"], na_position="last").iterrows()
    ]
    blocks.append(Table(["Acteur", "Type", "Commune", "Téléphone", "Courriel", "Site", "Intervient sur", "Notes"], rows,
                        "Annuaire complet (acteurs.csv)"))
    relations = material.directory.relations
    blocks.append(Heading(2, "Relations"))
    if len(relations):
        names = material.actor_names
        rows = [
            [names.get(r.source, r.source), names.get(r.cible, r.cible), code_label("types_relation", r.type, True) if r.type else "",
             code_label("formes", r.forme, True) if r.forme else "", code_label("formalisations", r.formalisation, True) if r.formalisation else "",
             str(r.intensite), (f"{r.debut:%d/%m/%Y}" if r.debut else "…") + " – " + (f"{r.fin:%d/%m/%Y}" if r.fin else "…"),
             " — ".join(t for t in (r.objet, r.notes) if isinstance(t, str) and t)]
            for r in relations.itertuples()
        ]
        blocks.append(Table(["Source", "Cible", "Type", "Forme", "Formalisation", "Intensité", "Période", "Objet et notes"], rows,
                            "Relations (relations.csv)", [5]))
    else:
        blocks.append(Paragraph("Aucune relation renseignée."))
