"""The sections of the report that present the data: territory, actors, coverage
and network (:func:`build_report` assembles every section)."""

from __future__ import annotations

from typing import Any

from territoire._text import fmt_float, fmt_int, fmt_pct, join_fr, plural
from territoire.dossier import vocab
from territoire.rendu.rapport.blocs import (
    Bullets,
    Figure,
    Heading,
    Link,
    Material,
    Paragraph,
    Report,
    Table,
)
from territoire.rendu.rapport.phrases import (
    code_label,
    count_verb,
    directory_reference,
    domain_gaps,
    failure,
    names_list,
)
from territoire.rendu.rapport.synthese import (
    analysis_questions,
    annexes_section,
    data_findings,
    limits_section,
)


def _territory(material: Material, blocks: list) -> None:
    blocks.append(Heading(1, "1. Présentation du territoire", "territoire"))
    if failure(blocks, material, "Profil du territoire"):
        return
    p = material.profile
    blocks.append(
        Paragraph(
            f"Le territoire étudié est : {p.label}. Il compte {plural(len(p.communes), 'commune')} et "
            f"{fmt_int(p.population)} habitants (population municipale) sur {fmt_float(p.surface_km2)} km², soit "
            f"{fmt_float(p.density)} habitants par km² (source : {directory_reference(material)})."
        )
    )
    epci = p.epci
    if len(epci):
        parts = [f"{row.nom} ({row.communes_dans_le_territoire} communes sur {row.communes_total})" for row in epci.itertuples()]
        blocks.append(Paragraph(f"Il touche {plural(len(epci), 'intercommunalité')} : {join_fr(parts)}."))
    cantons = p.cantons
    if len(cantons):
        partial = cantons[~cantons["entier"]]
        text = f"Il recoupe {plural(len(cantons), 'canton')}"
        if len(partial):
            text += f", dont {len(partial)} seulement en partie ({join_fr(partial['nom'].tolist())})"
        blocks.append(Paragraph(text + " : ses limites ne coïncident pas avec celles des cantons."  if len(partial) else text + "."))
    deps = p.departements
    blocks.append(Paragraph(
        "Département(s) : " + join_fr(f"{row.nom} ({code})" for code, row in deps.iterrows())
        + " ; région(s) : " + join_fr(f"{row.nom}" for _, row in p.regions.iterrows()) + "."
    ))
    total = max(p.population, 1)
    rows = [
        [label, fmt_int(row.communes), fmt_int(row.population), fmt_pct(row.population, total)]
        for label, row in p.density_classes.iterrows()
    ]
    blocks.append(Table(["Classe de densité", "Communes", "Habitants", "Part de la population"], rows,
                        "Communes par classe de densité (indicatives, calculées à la commune)", [1, 2, 3]))
    top = p.communes.sort_values("population", ascending=False).head(10)
    blocks.append(Table(
        ["Commune", "Habitants", "Surface (km²)", "Densité (hab./km²)", "Classe"],
        [[r.nom, fmt_int(r.population), fmt_float(r.surface_km2, 1), fmt_float(r.densite_hab_km2, 0), r.classe_densite] for r in top.itertuples()],
        f"Les {len(top)} communes les plus peuplées" + (f" (sur {len(p.communes)})" if len(p.communes) > len(top) else ""), [1, 2, 3],
    ))
    if "territoire" in material.figures:
        blocks.append(Figure(material.figures["territoire"], "Communes, cantons et intercommunalités du territoire"))
    if "carte" in material.links:
        blocks.append(Link("Ouvrir la carte interactive des acteurs", material.links["carte"]))


def _actors(material: Material, blocks: list) -> None:
    blocks.append(Heading(1, "2. Les acteurs du territoire", "acteurs"))
    if failure(blocks, material, "Annuaire"):
        return
    actors = material.directory.actors
    reference = actors[actors["source"] == "référentiel"]
    added = actors[actors["source"] != "référentiel"]
    illustrative = actors[actors["source"] == "illustratif"]
    text = (
        f"L'annuaire du dossier compte {plural(len(actors), 'acteur')} : {len(reference)} issus du référentiel "
        f"(mairies, intercommunalités, département, région, préfecture) et {len(added)} ajoutés au dossier."
    )
    if len(illustrative):
        marked = count_verb(len(illustrative), "acteur", "est marqué", "sont marqués")
        text += f" {marked} « illustratif » : les informations {'le' if len(illustrative) == 1 else 'les'} concernant sont inventées."
    blocks.append(Paragraph(text))
    if not len(added):
        blocks.append(Paragraph(
            "Le dossier ne contient encore que les acteurs du référentiel : ajoutez dans acteurs.csv les structures "
            "que vous connaissez (CAF, CCAS, associations, collectifs d'habitants…), leurs domaines, leurs publics et "
            "leur zone d'intervention.", "a-completer"))
    families = vocab.vocabulary("familles")
    rows = []
    for code in families.codes:
        members = actors[actors["famille"] == code]
        if len(members):
            examples = members["nom"].head(3).tolist()
            rows.append([families.label(code), fmt_int(len(members)), ", ".join(examples) + (", …" if len(members) > 3 else "")])
    unknown = actors[actors["famille"].isna()]
    if len(unknown):
        rows.append(["Famille non renseignée", fmt_int(len(unknown)), join_fr(unknown["nom"].head(3).tolist())])
    blocks.append(Table(["Famille", "Acteurs", "Par exemple"], rows, "Acteurs par famille", [1]))
    types = actors["type"].value_counts()
    blocks.append(Table(["Type de structure", "Acteurs"], [[code_label("types", t), fmt_int(n)] for t, n in types.head(15).items()],
                        "Types de structure les plus représentés", [1]))
    coverage = material.coverage
    domain_rows = []
    for code in vocab.vocabulary("domaines").codes:
        holders = actors[actors["domaines"].map(lambda d, c=code: c in d)]
        if not len(holders):
            continue
        covered = ""
        if coverage is not None and code in coverage.counts.columns:
            n = int((coverage.counts[code] > 0).sum())
            covered = f"{n} sur {len(coverage.counts)}"
        domain_rows.append([code_label("domaines", code), fmt_int(len(holders)), covered])
    if domain_rows:
        blocks.append(Table(["Domaine", "Acteurs", "Communes couvertes"], domain_rows, "Acteurs par domaine d'intervention", [1, 2]))
    else:
        blocks.append(Paragraph("Aucun acteur n'a de domaine d'intervention renseigné : la couverture par domaine ne peut pas être analysée.", "a-completer"))
    levels = {"commune": 0, "secteur": 0, "epci": 0, "canton": 0, "departement": 0, "region": 0, "france": 0, "rayon": 0, "zone": 0}
    for items in actors["couverture_items"]:
        kinds = {k for k, _ in items}
        communes = [v for k, v in items if k == "commune"]
        if len(communes) > 1:
            levels["secteur"] += 1
        elif communes:
            levels["commune"] += 1
        for kind in kinds - {"commune"}:
            levels[kind] += 1
    words = {"commune": "une commune", "secteur": "un secteur de plusieurs communes", "epci": "une intercommunalité",
             "canton": "un canton", "departement": "un département", "region": "une région", "france": "la France entière",
             "rayon": "un rayon autour de leur adresse", "zone": "une zone dessinée"}
    parts = [f"{plural(n, 'acteur') if not i else n} sur {words[k]}" for i, (k, n) in enumerate((k, n) for k, n in levels.items() if n)]
    if parts:
        blocks.append(Paragraph("Qui est compétent où : " + join_fr(parts) + " (zones d'intervention déclarées ; le détail figure en annexe)."))
    if "acteurs" in material.figures:
        blocks.append(Figure(material.figures["acteurs"], "Les acteurs du territoire (couleur : famille)"))


def _white_zones_by_domain(material: Material, blocks: list, names: dict[str, str]) -> None:
    """White zones by domain: the table, or that every domain covers everything,
    and the domains that no actor of the directory works in."""
    analysis = material.coverage
    gaps = domain_gaps(analysis)
    with_gaps = gaps[gaps["communes_sans_acteur"] > 0]
    if len(gaps):
        rows = [
            [code_label("domaines", r.valeur), fmt_int(r.communes_sans_acteur), fmt_int(r.population_sans_acteur),
             fmt_pct(r.population_sans_acteur, r.population_totale), names_list(r.codes, names, 8) if r.communes_sans_acteur else "—"]
            for r in gaps.itertuples()
        ]
        blocks.append(Table(["Domaine", "Communes sans acteur", "Habitants", "Part", "Communes concernées"], rows,
                            "Zones blanches par domaine (source : annuaire du dossier)", [1, 2, 3]))
    if not len(with_gaps) and len(gaps):
        blocks.append(Paragraph("Chaque domaine renseigné dans l'annuaire couvre toutes les communes du territoire."))
    if not analysis.options.domaines:
        actors = material.directory.actors
        present = {d for domains in actors["domaines"] for d in domains}
        absent = [c for c in vocab.vocabulary("domaines").codes if c not in present]
        if absent:
            lacking = count_verb(len(absent), "domaine", "n'a", "n'ont")
            blocks.append(Paragraph(
                f"{lacking} aucun acteur dans l'annuaire : "
                + ", ".join(code_label("domaines", c, True) for c in absent)
                + ". Toutes les communes y sont donc sans acteur : manque d'offre sur le territoire, ou annuaire à compléter ?",
                "a-completer"))


def _coverage_figures(material: Material, blocks: list) -> None:
    """The coverage map of each domain drawn for the report."""
    for key, path in material.figures.items():
        if key.startswith("couverture-"):
            code = key.removeprefix("couverture-")
            blocks.append(Figure(path, f"Couverture du domaine {code_label('domaines', code, True)} : nombre d'acteurs par commune, zones blanches en rouge"))


def _white_zones_by_type(material: Material, blocks: list, names: dict[str, str]) -> None:
    """The types of actor missing on part of the territory (at most half of its
    communes: beyond, the type is simply absent rather than unevenly spread)."""
    analysis = material.coverage
    holes = analysis.type_gaps[(analysis.type_gaps["communes_sans_acteur"] > 0)
                               & (analysis.type_gaps["communes_sans_acteur"] <= analysis.type_gaps["communes_total"] / 2)]
    for r in holes.itertuples():
        blocks.append(Paragraph(
            f"Type {code_label('types', r.valeur)} : {plural(r.communes_sans_acteur, 'commune')} ({fmt_int(r.population_sans_acteur)} habitants) "
            f"ne relèvent d'aucun acteur de ce type dans l'annuaire : {names_list(r.codes, names)}.", "constat"))


def _overlaps(material: Material, blocks: list) -> None:
    """Sub-section: pairs of actors of the same type and domain on the same communes."""
    overlaps = material.coverage.overlaps
    blocks.append(Heading(2, "Chevauchements"))
    if len(overlaps):
        pairs = overlaps.groupby(["acteur_a", "acteur_b"], sort=False).agg(
            type=("type", "first"), domaines=("domaines", list), communes=("communes_partagees", "max"),
            population=("population_partagee", "max"), jaccard=("jaccard", "max")).reset_index()
        actor_names = material.actor_names
        rows = [
            [f"{actor_names[r.acteur_a]} / {actor_names[r.acteur_b]}", code_label("types", r.type),
             ", ".join(code_label("domaines", d, True) for d in r.domaines), fmt_int(r.communes), fmt_int(r.population), fmt_float(r.jaccard, 2)]
            for r in pairs.head(20).itertuples()
        ]
        blocks.append(Table(["Acteurs", "Type", "Domaines", "Communes en commun", "Habitants", "Indice de Jaccard"], rows,
                            "Acteurs de même type et même domaine sur les mêmes communes (indice de Jaccard : part commune des deux zones)", [3, 4, 5]))
    else:
        blocks.append(Paragraph("Aucun chevauchement entre acteurs de même type et de même domaine."))


def _conflicting_boundaries(material: Material, blocks: list) -> None:
    """Sub-section: sectors that cut intercommunalities or cantons, and sectors of
    different institutions that cross each other."""
    analysis = material.coverage
    blocks.append(Heading(2, "Découpages qui se contredisent"))
    splits = analysis.splits
    if len(splits) or len(analysis.crossings):
        epci_codes = set(material.profile.epci.index) if material.profile is not None else set()
        beyond = splits[(splits["niveau"] == "EPCI") & ~splits["code"].isin(epci_codes)]
        items = [r.phrase for r in beyond.itertuples()][:10] + [r.phrase for r in analysis.crossings.itertuples()][:10]
        if not items:
            items = [r.phrase for r in splits.itertuples()][:10]
        blocks.append(Paragraph(
            f"{count_verb(splits['acteur'].nunique() if len(splits) else 0, 'secteur', 'coupe', 'coupent')} des intercommunalités ou des "
            "cantons (un secteur : une zone d'intervention donnée par une liste de communes) ; "
            f"{count_verb(len(analysis.crossings), 'paire', 'se croise', 'se croisent')} entre secteurs d'institutions différentes, "
            "sans que l'un contienne l'autre (source : annuaire du dossier et découpages officiels)."))
        blocks.append(Bullets([item[:1].upper() + item[1:] + "." for item in items]))
    else:
        blocks.append(Paragraph("Aucune zone d'intervention de l'annuaire n'est donnée par une liste de communes : pas de découpage à comparer."))


def _service_distances(material: Material, blocks: list) -> None:
    """Sub-section: distance from each town hall to the competent and to the nearest
    actor of each domain, and the inhabitants beyond each distance limit."""
    analysis = material.coverage
    blocks.append(Heading(2, "Distance aux services"))
    summary = analysis.distance_summary
    if len(summary):
        limits = analysis.options.distances
        rows = [
            [code_label("domaines", r["valeur"]), fmt_float(r["moyenne_ponderee_competent_km"]), fmt_float(r["moyenne_ponderee_plus_proche_km"]),
             fmt_int(r["communes_sans_competent"])] + [fmt_int(r[f"population_au_dela_{v:g}km_competent"]) for v in limits]
            for r in summary.to_dict(orient="records")
        ]
        headers = ["Domaine", "Acteur compétent (km)", "Acteur le plus proche (km)", "Communes sans acteur compétent"] + [f"Habitants à plus de {fmt_float(v, 0)} km" for v in limits]
        blocks.append(Table(headers, rows, "Distance à vol d'oiseau depuis la mairie de chaque commune, moyenne pondérée par la population", list(range(1, len(headers)))))
        blocks.append(Paragraph(
            "« Compétent » : l'acteur le plus proche parmi ceux dont la zone d'intervention inclut la commune ; « le plus proche » : "
            "n'importe quel acteur du domaine. L'écart entre les deux mesure le prix de la compétence administrative.", "note"))


def _coverage(material: Material, blocks: list, names: dict[str, str]) -> None:
    """Section 3: how coverage is counted, white zones by domain and by type,
    overlaps, conflicting boundaries, distances, and the actors left out."""
    blocks.append(Heading(1, "3. Couverture et besoins", "couverture"))
    if failure(blocks, material, "Couverture"):
        return
    analysis = material.coverage
    threshold = analysis.coverage.threshold
    blocks.append(Paragraph(
        "Chaque acteur couvre les communes de sa zone d'intervention déclarée. Pour un rayon ou une zone dessinée, "
        f"une commune compte comme couverte à partir de {fmt_pct(threshold, 1)} de sa surface (la commune où se trouve "
        "l'acteur l'est toujours). Une « zone blanche » est une commune qu'aucun acteur ne couvre dans un domaine.", "note"))
    _white_zones_by_domain(material, blocks, names)
    _coverage_figures(material, blocks)
    _white_zones_by_type(material, blocks, names)
    _overlaps(material, blocks)
    _conflicting_boundaries(material, blocks)
    _service_distances(material, blocks)
    left = analysis.left_out
    if len(left):
        blocks.append(Paragraph("Acteurs laissés de côté par l'analyse de couverture : " + "; ".join(f"{r.nom} ({r.raison})" for r in left.itertuples()) + ".", "alerte"))


def _network(material: Material, blocks: list) -> None:
    blocks.append(Heading(1, "4. Réseau et partenariats", "reseau"))
    if failure(blocks, material, "Réseau"):
        return
    report = material.network
    whole = report.whole
    graph = report.network.graph
    name = lambda n: graph.nodes[n]["nom"] if n in graph else n  # noqa: E731
    if not whole["relations"]:
        blocks.append(Paragraph(
            "Aucune relation n'est renseignée dans relations.csv : le réseau ne peut pas être décrit. Notez-y les "
            "partenariats que vous observez (qui travaille avec qui, sous quelle forme, avec ou sans convention).", "a-completer"))
        return
    blocks.append(Paragraph(
        f"Au {material.date:%d/%m/%Y}, le réseau réunit {plural(whole['acteurs'], 'acteur')} liés par {plural(whole['relations'], 'relation')} "
        f"({whole['paires_liees']} paires de partenaires) ; densité {fmt_float(whole['densite'], 3)}, "
        f"{fmt_float(whole['degre_moyen'], 1)} partenaires en moyenne, {plural(whole['composantes'], 'composante')} "
        f"(source : relations.csv du dossier)."))
    if whole["isoles"]:
        blocks.append(Paragraph("Acteurs isolés (aucune relation en cours) : " + join_fr(name(n) for n in whole["isoles"]) + ".", "constat"))
    metrics = report.metrics
    top = metrics.sort_values(["degre", "intermediarite"], ascending=False).head(8)
    blocks.append(Table(
        ["Acteur", "Partenaires", "Intermédiarité", "Contrainte", "k-cœur"],
        [[r.nom, fmt_int(r.degre), fmt_float(r.intermediarite, 2), fmt_float(r.contrainte, 2), fmt_int(r.k_coeur)] for r in top.itertuples()],
        "Acteurs centraux : nombre de partenaires, intermédiarité (passeurs), contrainte de Burt (faible : courtier), k-cœur", [1, 2, 3, 4]))
    rows = []
    for code, n in sorted(whole["par_forme"].items(), key=lambda x: -x[1]):
        rows.append(["Forme", code_label("formes", code, True) if code != "non renseignée" else code, fmt_int(n), fmt_pct(n, whole["relations"])])
    for code, n in sorted(whole["par_formalisation"].items(), key=lambda x: -x[1]):
        rows.append(["Formalisation", code_label("formalisations", code, True) if code != "non renseignée" else code, fmt_int(n), fmt_pct(n, whole["relations"])])
    for code, n in sorted(whole["par_type"].items(), key=lambda x: -x[1]):
        rows.append(["Type", code_label("types_relation", code, True) if code != "non renseigné" else code, fmt_int(n), fmt_pct(n, whole["relations"])])
    blocks.append(Table(["Aspect", "Valeur", "Relations", "Part"], rows, "Formes, formalisation et types des relations", [2, 3]))
    communities = report.communities
    if communities["communautes"]:
        r = communities["assortativite_famille"]
        reading = "on travaille plutôt entre acteurs de la même famille" if r is not None and r > 0.2 else (
            "on travaille plutôt entre secteurs différents" if r is not None and r < 0 else "le mélange entre familles est modéré")
        blocks.append(Paragraph(
            f"La méthode de Louvain distingue {plural(len(communities['communautes']), 'communauté')} d'acteurs plus liés entre eux. "
            f"{fmt_pct(communities['part_relations_entre_familles'], 1)} des liens relient des familles différentes ; "
            f"l'assortativité par famille vaut {fmt_float(r, 2)} : {reading}."))
    ego = report.ego
    if ego is not None:
        blocks.append(Heading(2, f"Les partenaires de la structure de stage : {ego.name}"))
        from territoire.analyses.reseau import CATEGORIES, CATEGORY_LABELS

        groups = ego.by_category()
        rows = [[CATEGORY_LABELS[c], fmt_int(len(groups.get(c, []))), join_fr(ego.partners.loc[groups[c], "nom"].tolist()) if groups.get(c) else "—"]
                for c in (*CATEGORIES, "non-classes") if c != "non-classes" or groups.get(c)]
        blocks.append(Table(["Catégorie", "Partenaires", "Lesquels"], rows, "Partenaires de la structure de stage par catégorie", [1]))
        if "partenaires" in material.figures:
            blocks.append(Figure(material.figures["partenaires"], f"Carte des partenaires de {ego.name} (trait plein : formalisé ; tirets : informel ; épaisseur : intensité ; couleur : forme)"))
    elif material.workspace.settings.structure:
        blocks.append(Paragraph(f"La structure de stage ({material.workspace.settings.structure}) n'a aucune relation renseignée : pas de carte des partenaires.", "a-completer"))
    uncoordinated = material.coverage.uncoordinated if material.coverage is not None else None
    if uncoordinated is not None and len(uncoordinated):
        same = uncoordinated[uncoordinated["meme_type"]]
        actor_names = material.actor_names
        blocks.append(Heading(2, "Chevauchements sans coordination"))
        blocks.append(Paragraph(
            f"{plural(len(uncoordinated), 'paire')} d'acteurs interviennent dans le même domaine sur les mêmes communes sans "
            f"relation déclarée entre eux, dont {len(same)} de même type (source : annuaire et relations du dossier)."))
        if len(same):
            blocks.append(Bullets([
                f"{actor_names[r.acteur_a]} et {actor_names[r.acteur_b]} ({', '.join(code_label('domaines', d, True) for d in r.domaines.split('|'))}) : {plural(r.communes_partagees, 'commune')} en commun"
                for r in same.head(10).itertuples()
            ]))
    if "reseau" in material.links:
        blocks.append(Link("Ouvrir la page interactive du réseau", material.links["reseau"]))


def build_report(material: Material) -> Report:
    """The whole report, section by section."""
    from territoire import referentiel

    workspace = material.workspace
    all_communes = referentiel.communes(geometry=False)
    names = dict(zip(all_communes.index.tolist(), all_communes["nom"].tolist(), strict=True))
    blocks: list[Any] = []
    if material.failures:
        blocks.append(Paragraph(
            "Certaines étapes ont échoué : " + "; ".join(f"{step} ({message})" for step, message in material.failures.items())
            + ". Les autres parties sont complètes.", "alerte"))
    _territory(material, blocks)
    _actors(material, blocks)
    _coverage(material, blocks, names)
    _network(material, blocks)
    blocks.append(Heading(1, "5. Synthèse", "synthese"))
    findings = data_findings(material)
    blocks.append(Heading(2, "Constats tirés des données"))
    if findings:
        blocks.append(Bullets(findings, "constat"))
    else:
        blocks.append(Paragraph("Le dossier ne contient pas encore assez d'informations pour en tirer des constats.", "a-completer"))
    blocks.append(Heading(2, "Questions pour votre analyse"))
    blocks.append(Paragraph("Les données décrivent les acteurs et l'espace ; à vous d'analyser les dynamiques, avec ce que vous avez observé et entendu pendant le stage.", "note"))
    for title, questions in analysis_questions(material):
        blocks.append(Heading(3, title))
        blocks.append(Bullets(questions, "question"))
        blocks.append(Paragraph("À compléter.", "a-completer"))
    limits_section(material, blocks)
    annexes_section(material, blocks)
    settings = workspace.settings
    subtitle = f"{settings.territoire_nom or workspace.territory().label} — diagnostic au {material.date:%d/%m/%Y}"
    sources = [f"Découpages et populations : {directory_reference(material)}", f"Annuaire et relations : dossier {workspace.path.name}"]
    return Report(settings.titre or "Diagnostic territorial", subtitle, settings.auteur, material.date, blocks, sources, findings)
