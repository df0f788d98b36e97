"""Figures of the partnership network.

- :func:`partner_map`: the partner map of one structure, the way social workers draw
  it — the structure in the centre, its partners grouped by category around it, line
  style by formalisation (solid: convention or charter, dashed: informal), thickness
  by intensity, colour by form of partnership (matplotlib, PNG/SVG/PDF).
- :func:`network_page`: an interactive page of the whole network that works with no
  internet (Bokeh, its JavaScript written into the page from the installed package):
  colour by family, size by a chosen measure, filter by type of relation, partners
  highlighted on click.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from territoire.analyses.reseau import CATEGORIES, CATEGORY_LABELS
from territoire.dossier import vocab
from territoire.rendu import styles

#: Sector of the circle (degrees, counter-clockwise from east) given to each category.
SECTORS = {
    "internes": (45.0, 135.0),
    "prescripteurs": (135.0, 225.0),
    "financeurs": (225.0, 315.0),
    "terrain": (-45.0, 45.0),
}
FORM_LABELS = {"initiative": "d'initiative", "palliatif": "palliatif, spontané", "impose": "imposé", None: "forme non renseignée"}


def _wrap(text: str, width: int = 22) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)[:3])


def partner_map(ego, path: Path, *, dpi: int = 150, title: str | None = None, source: str = "") -> Path:
    """Draw the partner map of ``ego`` (a :class:`territoire.reseau.Ego`)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Wedge

    fig, ax = plt.subplots(figsize=(11, 11))
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_xlim(-1.75, 1.75)
    ax.set_ylim(-1.75, 1.75)
    partners = ego.partners.copy()
    partners["categorie"] = partners["categorie"].where(partners["categorie"].isin(CATEGORIES), "terrain")
    unclassified = set(ego.partners.index[ego.partners["categorie"] == "non-classes"])
    for category, (start, end) in SECTORS.items():
        ax.add_patch(Wedge((0, 0), 1.62, start + 1, end - 1, width=1.3, facecolor="#f4f4f4", edgecolor="#dddddd"))
        middle = math.radians((start + end) / 2)
        count = int((partners["categorie"] == category).sum())
        ax.text(1.68 * math.cos(middle), 1.68 * math.sin(middle), f"{CATEGORY_LABELS[category]} ({count})",
                ha="center", va="center", fontsize=12, fontweight="bold", color="#333333",
                rotation=0)
    positions = {}
    for category, (start, end) in SECTORS.items():
        members = partners[partners["categorie"] == category].sort_values(["intensite", "nom"], ascending=[False, True])
        n = len(members)
        for i, ident in enumerate(members.index):
            angle = math.radians(start + (end - start) * (i + 0.5) / max(n, 1))
            radius = 1.0 if n <= 3 else (0.85 if i % 2 == 0 else 1.22)
            positions[ident] = (radius * math.cos(angle), radius * math.sin(angle))
    for ident, row in partners.iterrows():
        x, y = positions[ident]
        formal = row["formalisation"] in ("convention", "charte")
        ax.plot([0, x], [0, y], color=styles.FORM_COLORS.get(row["forme_principale"], "#999999"),
                linewidth=1.2 * max(int(row["intensite"]), 1), linestyle="-" if formal else (0, (5, 3)), zorder=1, alpha=0.9)
        ax.scatter([x], [y], s=260, color=styles.family_color(row["famille"]), edgecolor="#222222", linewidth=0.8, zorder=3)
        label = _wrap(row["nom"]) + (" *" if ident in unclassified else "")
        ax.text(x * 1.13, y * 1.13 if abs(y) > 0.2 else y - 0.09, label, ha="center", va="center", fontsize=7.5, zorder=4,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8})
    if len(ego.second):
        for _, row in ego.second.iterrows():
            via = [positions[v] for v in str(row["via"]).split("|") if v in positions]
            if not via:
                continue
            vx, vy = via[0]
            norm = math.hypot(vx, vy) or 1
            x, y = vx / norm * 1.5, vy / norm * 1.5
            ax.plot([vx, x], [vy, y], color="#bbbbbb", linewidth=0.6, zorder=0)
            ax.scatter([x], [y], s=25, color="#bbbbbb", zorder=2)
    ax.scatter([0], [0], s=3600, color="#222222", zorder=5)
    ax.text(0, 0, _wrap(ego.name, 13), ha="center", va="center", color="white", fontsize=8, fontweight="bold", zorder=6)
    handles = [
        Line2D([], [], color="#444444", linewidth=2, linestyle="-", label="formalisée (convention, charte)"),
        Line2D([], [], color="#444444", linewidth=2, linestyle=(0, (5, 3)), label="informelle"),
    ]
    handles += [Line2D([], [], color="#444444", linewidth=1.2 * k, label=f"intensité {k}") for k in (1, 2, 3)]
    handles += [Line2D([], [], color=styles.FORM_COLORS[f], linewidth=3, label=f"forme : {FORM_LABELS[f]}") for f in ("initiative", "palliatif", "impose")]
    families = [f for f in vocab.vocabulary("familles").codes if f in set(partners["famille"])]
    handles += [Line2D([], [], marker="o", linestyle="", markersize=9, markerfacecolor=styles.family_color(f),
                       markeredgecolor="#222222", label=vocab.vocabulary("familles").label(f)) for f in families]
    if len(ego.second):
        handles.append(Line2D([], [], marker="o", linestyle="", color="#bbbbbb", label="partenaires des partenaires"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, -0.01), ncol=3, fontsize=7.5, frameon=False)
    fig.text(0.5, 0.975, title or f"Carte des partenaires — {ego.name}", ha="center", va="top", fontsize=14, fontweight="bold")
    notes = []
    if unclassified:
        notes.append("* rôle non renseigné : classé parmi les acteurs de terrain")
    if source:
        notes.append(f"Sources : {source}")
    if notes:
        fig.text(0.01, 0.005, " ; ".join(notes), fontsize=7, color="#444444", ha="left", va="bottom")
    fig.subplots_adjust(left=0.02, right=0.98, top=0.95, bottom=0.16)
    from territoire.rendu.cartes.statique import save_figure

    return save_figure(fig, path, dpi=dpi)


MEASURES = {
    "degre": "nombre de partenaires",
    "degre_pondere": "intensité cumulée des relations",
    "intermediarite": "intermédiarité (passeur)",
    "proximite_harmonique": "proximité (harmonique)",
    "k_coeur": "k-cœur",
}


def network_page(network, metrics, *, title: str, size_by: str = "degre", source: str = "") -> str:
    """Self-contained HTML page of the network (Bokeh, inline resources)."""
    from bokeh.settings import settings

    # Bokeh numbers its objects with a counter that runs through the whole process;
    # with random identifiers instead, :func:`stable_ids` renumbers them in the order
    # of the page, so the same network gives the same page in any process.
    settings.simple_ids.set_value(False)
    try:
        return _network_page(network, metrics, title=title, size_by=size_by, source=source)
    finally:
        settings.simple_ids.unset_value()


def _node_data(graph, layout: dict, metrics, size_by: str) -> dict:
    """Columns of the actors: position, name, family, type, colour, size after the
    chosen measure, and the label written beside the largest ones."""
    import networkx as nx

    nodes = list(graph.nodes)
    values = [float(metrics.at[n, size_by]) if n in metrics.index else 0.0 for n in nodes]
    top = max(values, default=0) or 1.0
    families = vocab.vocabulary("familles")
    node_data = {
        "id": nodes,
        "x": [layout[n][0] for n in nodes],
        "y": [layout[n][1] for n in nodes],
        "nom": [graph.nodes[n]["nom"] for n in nodes],
        "famille": [families.label(graph.nodes[n]["famille"]) for n in nodes],
        "type": [vocab.vocabulary("types").label(graph.nodes[n]["type"]) if graph.nodes[n]["type"] else "" for n in nodes],
        "couleur": [styles.family_color(graph.nodes[n]["famille"]) for n in nodes],
        "taille": [10 + 26 * math.sqrt(v / top) for v in values],
        "mesure": [round(v, 3) for v in values],
        "degre": [graph.degree(n) for n in nodes],
        "alpha": [1.0] * len(nodes),
    }
    # names written for the 30 largest actors and the small groups; the others on hover
    ranked = sorted(range(len(nodes)), key=lambda i: -values[i])[:30]
    main = max(nx.connected_components(graph), key=len) if graph.number_of_nodes() else set()
    node_data["etiquette"] = [
        node_data["nom"][i] if (i in ranked or nodes[i] not in main) else "" for i in range(len(nodes))
    ]
    return node_data


def _edge_data(network, layout: dict) -> dict:
    """Columns of the relations between drawn actors: ends (positions and node
    indexes), type, hover label, colour, width by intensity, dashes if informal."""
    graph = network.graph
    index = {n: i for i, n in enumerate(graph.nodes)}
    types_label = vocab.vocabulary("types_relation")
    edge_data: dict[str, list[Any]] = {"xs": [], "ys": [], "a": [], "b": [], "type": [], "libelle": [], "couleur": [], "largeur": [], "alpha": [], "tirets": []}
    for r in network.relations.itertuples():
        if r.source not in index or r.cible not in index:
            continue
        edge_data["xs"].append([layout[r.source][0], layout[r.cible][0]])
        edge_data["ys"].append([layout[r.source][1], layout[r.cible][1]])
        edge_data["a"].append(index[r.source])
        edge_data["b"].append(index[r.cible])
        edge_data["type"].append(r.type or "")
        edge_data["libelle"].append(
            f"{graph.nodes[r.source]['nom']} {'→' if r.oriente else '—'} {graph.nodes[r.cible]['nom']} : "
            f"{types_label.label(r.type) if r.type else 'type non renseigné'}"
        )
        edge_data["couleur"].append(styles.RELATION_COLORS.get(r.type, "#777777"))
        edge_data["largeur"].append(0.8 + 1.1 * int(r.intensite))
        edge_data["alpha"].append(0.7)
        edge_data["tirets"].append("solid" if r.formalisation in ("convention", "charte") else "dashed")
    return edge_data


def _network_figure(nodes_source, edges_source, formal: list[bool], *, title: str, size_by: str):
    """The Bokeh figure: formal and informal relations, actors and their labels,
    French tool descriptions, hover information and selection by click."""
    from bokeh.models import (
        BooleanFilter,
        BoxZoomTool,
        CDSView,
        HoverTool,
        PanTool,
        ResetTool,
        SaveTool,
        TapTool,
        WheelZoomTool,
    )
    from bokeh.models.annotations import LabelSet
    from bokeh.plotting import figure

    tools = [
        PanTool(description="Déplacer"),
        WheelZoomTool(description="Zoomer avec la molette"),
        BoxZoomTool(description="Zoomer sur un rectangle"),
        ResetTool(description="Revenir à la vue de départ"),
        SaveTool(description="Enregistrer l'image"),
    ]
    plot = figure(title=title, width=1000, height=760, tools=tools, toolbar_location="above",
                  x_axis_location=None, y_axis_location=None, match_aspect=True)
    plot.grid.visible = False
    edges = plot.multi_line("xs", "ys", source=edges_source, view=CDSView(filter=BooleanFilter(booleans=formal)),
                            line_color="couleur", line_width="largeur", line_alpha="alpha", name="liens_formels")
    informal = plot.multi_line("xs", "ys", source=edges_source, view=CDSView(filter=BooleanFilter(booleans=[not f for f in formal])),
                               line_color="couleur", line_width="largeur", line_alpha="alpha", line_dash="dashed",
                               name="liens_informels")
    circles = plot.scatter("x", "y", source=nodes_source, size="taille", fill_color="couleur", line_color="#222222",
                           fill_alpha="alpha", line_alpha="alpha", name="noeuds")
    plot.add_layout(LabelSet(x="x", y="y", text="etiquette", source=nodes_source, text_font_size="8pt", x_offset=8, y_offset=4,
                             text_alpha="alpha", text_color="#222222"))
    plot.add_tools(HoverTool(renderers=[circles], description="Informations sur l'acteur",
                             tooltips=[("Acteur", "@nom"), ("Famille", "@famille"), ("Type", "@type"),
                                       ("Partenaires", "@degre"), (MEASURES[size_by].capitalize(), "@mesure")]))
    plot.add_tools(HoverTool(renderers=[edges, informal], description="Informations sur la relation", tooltips=[("Relation", "@libelle")]))
    tap = TapTool(renderers=[circles], description="Cliquer sur un acteur pour voir ses partenaires")
    plot.add_tools(tap)
    return plot


def _highlight_partners_on_click(nodes_source, edges_source) -> None:
    """When actors are selected, fade everything but them, their partners and their
    relations (the kept nodes are left in ``window.territoireVoisins``)."""
    from bokeh.models import CustomJS

    highlight = CustomJS(args={"nodes": nodes_source, "edges": edges_source}, code="""
        const selected = nodes.selected.indices;
        const n = nodes.data.id.length, m = edges.data.a.length;
        const chosen = new Set(selected);
        const keep = new Set(selected);
        for (let k = 0; k < m; k++) {
            if (edges.data.alpha[k] > 0 && (chosen.has(edges.data.a[k]) || chosen.has(edges.data.b[k]))) {
                keep.add(edges.data.a[k]); keep.add(edges.data.b[k]);
            }
        }
        for (let i = 0; i < n; i++) nodes.data.alpha[i] = (!selected.length || keep.has(i)) ? 1.0 : 0.15;
        for (let k = 0; k < m; k++) {
            const touches = chosen.has(edges.data.a[k]) || chosen.has(edges.data.b[k]);
            if (edges.data.alpha[k] > 0) edges.data.alpha[k] = (!selected.length || touches) ? 0.85 : 0.06;
        }
        nodes.change.emit(); edges.change.emit();
        window.territoireVoisins = Array.from(keep);
    """)
    nodes_source.selected.js_on_change("indices", highlight)


def _relation_type_filter(edges_source, edge_types: list[str]):
    """Check boxes of the types of relation present, all ticked; unticking one
    hides its relations."""
    from bokeh.models import CustomJS
    from bokeh.models.widgets import CheckboxGroup

    types_label = vocab.vocabulary("types_relation")
    present = [t for t in types_label.codes if t in set(edge_types)]
    labels = [types_label.label(t) for t in present]
    checkboxes = CheckboxGroup(labels=labels, active=list(range(len(labels))), name="filtre_types")
    checkboxes.js_on_change("active", CustomJS(args={"edges": edges_source, "codes": present}, code="""
        const shown = new Set(this.active.map(i => codes[i]));
        for (let k = 0; k < edges.data.type.length; k++) edges.data.alpha[k] = shown.has(edges.data.type[k]) ? 0.7 : 0.0;
        edges.change.emit();
    """))
    return checkboxes


def _side_panel(graph, checkboxes, *, size_by: str, source: str):
    """The column beside the figure: the type filter, then the legend (families,
    size, line styles), how to use the page and the sources."""
    from bokeh.layouts import column
    from bokeh.models.widgets import Div

    families = vocab.vocabulary("familles")
    legend_items = "".join(
        f'<div><span style="display:inline-block;width:12px;height:12px;border-radius:6px;background:{styles.family_color(f)};'
        f'border:1px solid #222;margin-right:5px"></span>{families.label(f)}</div>'
        for f in families.codes if f in {graph.nodes[n]["famille"] for n in graph.nodes}
    )
    return column(
        Div(text="<b>Types de relation affichés</b>"),
        checkboxes,
        Div(text=f"<b>Couleur : famille</b>{legend_items}<p><b>Taille :</b> {MEASURES[size_by]}.</p>"
                 "<p>Trait plein : relation formalisée ; tirets : informelle ; épaisseur : intensité.</p>"
                 "<p>Cliquez sur un acteur pour voir ses partenaires ; cliquez dans le vide pour tout revoir.</p>"
                 + (f"<p style='font-size:10px;color:#555'>Sources : {source}</p>" if source else ""), width=260),
    )


def _network_page(network, metrics, *, title: str, size_by: str, source: str) -> str:
    """The page itself (see :func:`network_page`): data sources of the actors and
    relations, the figure, click highlighting, type filter and legend, written as
    one HTML file with Bokeh inline and identifiers renumbered."""
    from bokeh.embed import file_html
    from bokeh.layouts import row
    from bokeh.models import ColumnDataSource
    from bokeh.resources import INLINE

    from territoire._errors import TerritoireError
    from territoire._text import stable_ids

    if size_by not in MEASURES:
        raise TerritoireError(f"mesure « {size_by} » inconnue : choisissez parmi {', '.join(MEASURES)}.")
    graph = network.graph
    layout = component_layout(graph)
    node_data = _node_data(graph, layout, metrics, size_by)
    edge_data = _edge_data(network, layout)
    nodes_source = ColumnDataSource(node_data, name="acteurs")
    edges_source = ColumnDataSource(edge_data, name="relations")
    formal = [d == "solid" for d in edge_data["tirets"]]
    plot = _network_figure(nodes_source, edges_source, formal, title=title, size_by=size_by)
    _highlight_partners_on_click(nodes_source, edges_source)
    checkboxes = _relation_type_filter(edges_source, edge_data["type"])
    side = _side_panel(graph, checkboxes, size_by=size_by, source=source)
    page = stable_ids(file_html(row(plot, side), resources=INLINE, title=title))
    page = page.replace("<html lang=\"en\">", "<html lang=\"fr\">", 1)
    return page.replace("<head>", '<head>\n    <link rel="icon" href="data:,">', 1)


def component_layout(graph) -> dict:
    """Positions for drawing: the largest component in the main area, the other
    components and the isolated actors in rows underneath (seeded, reproducible)."""
    import networkx as nx

    components = sorted(nx.connected_components(graph), key=lambda c: (-len(c), sorted(c)[0]))
    positions: dict = {}
    if not components:
        return positions
    main_nodes = graph.subgraph(components[0])
    if len(components[0]) == 1:
        positions.update(dict.fromkeys(components[0], (0.0, 0.0)))
    elif len(components[0]) <= 300:
        positions.update(nx.kamada_kawai_layout(main_nodes, weight=None))
    else:
        positions.update(nx.spring_layout(main_nodes, seed=42, iterations=100))
    # the other components under the main one, in three columns, their members
    # stacked so that the names do not overlap
    tops = [-1.25, -1.25, -1.25]
    for slot, component in enumerate(components[1:]):
        column = slot % 3
        x = -1.0 + 0.85 * column
        for k, node in enumerate(sorted(component)):
            positions[node] = (x, tops[column] - 0.07 * k)
        tops[column] -= 0.07 * len(component) + 0.06
    return {n: (float(x), float(y)) for n, (x, y) in positions.items()}
