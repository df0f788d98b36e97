"""Interactive maps (folium / Leaflet) that open with no internet connection.

Leaflet and its marker-cluster plugin are written into the page itself, taken from
the XStatic packages installed with territoire; only the background tiles (``--fond
osm`` or ``ign``) need a connection, and ``--fond aucun`` needs none.

Every text coming from user data is HTML-escaped before it reaches a popup or a
tooltip, and is handed to Leaflet as a JSON string, never spliced into JavaScript.
"""

from __future__ import annotations

import html
import json
from functools import lru_cache
from importlib import resources
from typing import Any, cast

import folium
from branca.element import Element, Figure, MacroElement
from folium.template import Template

from territoire import settings
from territoire._text import fmt_float, fmt_int, stable_ids
from territoire.rendu import styles

FONDS = ("osm", "ign", "aucun")

IGN_TILES = (
    "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM"
    "&FORMAT=image/png&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
)


def esc(value) -> str:
    """HTML-escaped text of a value (empty for None/NaN)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return html.escape(str(value), quote=True)


@lru_cache(maxsize=1)
def leaflet_assets() -> tuple[str, str]:
    """(JavaScript, CSS) of Leaflet and Leaflet.markercluster, to inline in pages."""
    import base64

    leaflet = resources.files("xstatic.pkg.leaflet") / "data"
    cluster = resources.files("xstatic.pkg.leaflet_markercluster") / "data"
    js = (leaflet / "leaflet.js").read_text("utf-8") + "\n" + (cluster / "leaflet.markercluster.js").read_text("utf-8")
    css = "\n".join(
        p.read_text("utf-8")
        for p in (leaflet / "leaflet.css", cluster / "MarkerCluster.css", cluster / "MarkerCluster.Default.css")
    )
    # the layer-control icon, inlined too (Leaflet's CSS points to an image file)
    icon = base64.b64encode((leaflet / "images" / "layers.png").read_bytes()).decode()
    css += (
        f"\n.leaflet-control-layers-toggle{{background-image:url(data:image/png;base64,{icon})!important;"
        "background-size:26px 26px}"
    )
    return js, css


class _BindTooltip(MacroElement):
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindTooltip({{ this.content|tojson }}, {sticky: true});
        {% endmacro %}
        """
    )

    def __init__(self, content: str) -> None:
        super().__init__()
        self._name = "BindTooltip"
        self.content = content


def new_map(bounds, *, fond: str = "osm") -> folium.Map:
    """Empty map fitted on ``bounds`` (lon/lat), with the chosen background."""
    if fond not in FONDS:
        raise ValueError(fond)
    x0, y0, x1, y1 = bounds
    m = folium.Map(location=[(y0 + y1) / 2, (x0 + x1) / 2], zoom_start=10, tiles=None, control_scale=True)
    # without tiles Leaflet has no zoom range, which the marker clusters need
    m.options["maxZoom"] = 19
    m.options["minZoom"] = 4
    # assets are inlined by :func:`render`; nothing is fetched from a CDN
    m.default_js = []
    m.default_css = []
    if fond == "osm":
        folium.TileLayer("OpenStreetMap", name="Fond OpenStreetMap", control=False).add_to(m)
    elif fond == "ign":
        folium.TileLayer(
            IGN_TILES, attr="© IGN – Géoplateforme", name="Fond Plan IGN", control=False, max_zoom=18
        ).add_to(m)
    m.fit_bounds([[y0, x0], [y1, x1]])
    root = cast(Figure, m.get_root())
    root.header.add_child(
        Element(
            "<style>.leaflet-container{background:%s;font-family:Arial,Helvetica,sans-serif}</style>"
            % ("#f3f1ea" if fond == "aucun" else "#dddddd")
        ),
        name="fond_style",
    )
    return m


def geojson_layer(frame, *, name: str, style, tooltip: list[str] | None = None, show: bool = True, highlight=None):
    """A GeoJSON layer; ``style`` is a dict or a function(properties) → dict;
    ``tooltip`` the escaped HTML of each feature (same order as ``frame``)."""
    data = frame[["geometry"]].copy()
    if tooltip is not None:
        data["_infobulle"] = tooltip
    for column in ("_style",):
        if column in frame.columns:
            data[column] = frame[column]
    style_function = (lambda f: style) if isinstance(style, dict) else (lambda f: style(f["properties"]))
    layer = folium.GeoJson(
        json.loads(data.to_json(drop_id=True)),
        name=name,
        style_function=style_function,
        highlight_function=highlight,
        show=show,
        tooltip=folium.GeoJsonTooltip(fields=["_infobulle"], labels=False) if tooltip is not None else None,
        smooth_factor=1.0,
    )
    return layer


def actor_popup(row) -> str:
    """Escaped HTML of an actor's popup."""
    lines = [f"<b>{esc(row['nom'])}</b>", f"<i>{esc(row.get('type_libelle', ''))}</i> — {esc(row.get('famille_libelle', ''))}"]
    if row.get("adresse"):
        lines.append(esc(row["adresse"]))
    if row.get("commune_nom"):
        lines.append(f"Commune : {esc(row['commune_nom'])}")
    contacts = []
    if row.get("telephone"):
        contacts.append(f"Tél. {esc(row['telephone'])}")
    if row.get("courriel"):
        contacts.append(esc(row["courriel"]))
    if row.get("site"):
        contacts.append(esc(row["site"]))
    if contacts:
        lines.append(" · ".join(contacts))
    if row.get("horaires"):
        lines.append(f"Horaires : {esc(row['horaires'])}")
    if row.get("domaines_libelle"):
        lines.append(f"Domaines : {esc(row['domaines_libelle'])}")
    if row.get("publics_libelle"):
        lines.append(f"Publics : {esc(row['publics_libelle'])}")
    if row.get("couverture_texte"):
        lines.append(f"Intervient sur : {esc(row['couverture_texte'])}")
    if row.get("localisation"):
        lines.append(f"<small>Localisation : {esc(row['localisation'])} ; source : {esc(row.get('source', ''))}</small>")
    if row.get("notes"):
        lines.append(f"<small>{esc(row['notes'])}</small>")
    return "<br>".join(lines)


def _actor_icon(row) -> str:
    family = row.get("famille")
    color = styles.family_color(family)
    symbol = esc(styles.type_symbol(row.get("type")))
    return (
        f'<div class="acteur" style="background:{color};color:{styles.text_color(family)};'
        'border:1px solid #222;border-radius:9px;font:bold 9px Arial,sans-serif;'
        'min-width:16px;height:16px;line-height:16px;text-align:center;padding:0 2px;'
        f'box-shadow:0 0 2px #fff">{symbol}</div>'
    )


class ActorMarkers(MacroElement):
    """All the actor markers of a layer in one script: their data as a JSON array,
    one Leaflet marker (coloured badge, popup, tooltip) per row, added to the parent
    layer (a marker cluster or a feature group). One folium element per actor would
    cost four Jinja templates each; a directory of thousands of actors stays fast."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var layer = {{ this._parent.get_name() }};
            {{ this.rows|tojson }}.forEach(function (r) {
                var marker = L.marker([r[0], r[1]], {icon: L.divIcon(
                    {html: r[2], iconSize: [22, 18], iconAnchor: [11, 9], className: "marqueur-acteur"})});
                marker.bindPopup(r[3], {maxWidth: 360});
                marker.bindTooltip(r[4], {sticky: true});
                layer.addLayer(marker);
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, actors, tooltip=None) -> None:
        """``actors``: a frame in lon/lat with the directory columns; ``tooltip``: a
        function(row) → escaped HTML (the actor's name by default)."""
        super().__init__()
        self._name = "ActorMarkers"
        tip = tooltip or (lambda row: esc(row["nom"]))
        self.rows = [
            [round(row["geometry"].y, 6), round(row["geometry"].x, 6), _actor_icon(row), actor_popup(row), tip(row)]
            for row in (values for _ident, values in actors.iterrows())
        ]


def _box(html_text: str, position: str, *, element_id: str) -> Element:
    return Element(
        f'<div id="{element_id}" style="position:fixed;{position};z-index:1000;background:rgba(255,255,255,.92);'
        'padding:6px 10px;border:1px solid #999;border-radius:4px;font:12px Arial,Helvetica,sans-serif;'
        f'max-width:46%;box-shadow:0 1px 4px rgba(0,0,0,.3)">{html_text}</div>'
    )


def render(m: folium.Map, *, title: str, subtitle: str = "", source: str = "", legend: str = "") -> str:
    """The complete self-contained HTML page of a map."""
    js, css = leaflet_assets()
    root = cast(Figure, m.get_root())
    root.header.add_child(Element(f"<style>{css}</style>"), name="leaflet_css_inline", index=0)
    root.header.add_child(Element(f"<script>{js}</script>"), name="leaflet_js_inline", index=1)
    root.header.add_child(Element(f"<title>{esc(title)}</title>"), name="titre")
    root.header.add_child(Element('<link rel="icon" href="data:,">'), name="favicon")
    heading = f"<b style='font-size:15px'>{esc(title)}</b>" + (f"<br>{esc(subtitle)}" if subtitle else "")
    root.html.add_child(_box(heading, "top:10px;left:60px", element_id="titre-carte"))
    if legend:
        root.html.add_child(
            _box(f"<details open><summary><b>Légende</b></summary>{legend}</details>", "bottom:30px;right:10px", element_id="legende")
        )
    if source:
        root.html.add_child(
            Element(
                '<div id="source-carte" style="position:fixed;bottom:2px;left:110px;z-index:1000;'
                'font:10px Arial,Helvetica,sans-serif;background:rgba(255,255,255,.8);padding:1px 4px">'
                f"Sources : {esc(source)}</div>"
            )
        )
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    page = stable_ids(root.render())
    return page.replace('<html>', '<html lang="fr">', 1)


def _legend_families(families) -> str:
    from territoire.dossier.vocab import vocabulary

    rows = []
    for code in families:
        color = styles.family_color(code)
        rows.append(
            f'<div><span style="display:inline-block;width:12px;height:12px;border-radius:6px;'
            f'background:{color};border:1px solid #222;margin-right:5px"></span>{esc(vocabulary("familles").label(code))}</div>'
        )
    return "<div><b>Acteurs (couleur = famille, texte = type)</b>" + "".join(rows) + "</div>"


def _legend_coverage(label: str) -> str:
    rows = []
    for _threshold, text, color in styles.COVERAGE_CLASSES:
        rows.append(
            f'<div><span style="display:inline-block;width:14px;height:10px;background:{color};'
            f'border:1px solid #555;margin-right:5px"></span>{esc(text)}</div>'
        )
    rows.append(
        f'<div><span style="display:inline-block;width:14px;height:10px;border:2px dashed {styles.OVERLAP_COLOR};'
        'margin-right:5px"></span>chevauchement (même type, même domaine)</div>'
    )
    return f"<div style='margin-top:4px'><b>Acteurs qui couvrent la commune ({esc(label)})</b>{''.join(rows)}</div>"


def _legend_relations(types) -> str:
    from territoire.dossier.vocab import vocabulary

    rows = [
        f'<div><span style="display:inline-block;width:22px;border-top:3px solid {styles.RELATION_COLORS.get(t, "#555")};'
        f'margin-right:5px;vertical-align:middle"></span>{esc(vocabulary("types_relation").label(t))}</div>'
        for t in types
    ]
    rows.append("<div><small>trait plein : relation formalisée ; pointillés : informelle ; épaisseur : intensité</small></div>")
    return "<div style='margin-top:4px'><b>Relations</b>" + "".join(rows) + "</div>"


def _commune_tooltips(data) -> list[str]:
    """Escaped HTML tooltip of each commune: population, then the number of actors
    (of the chosen domain, with its overlaps, or of any domain)."""
    communes = data.communes
    tooltips = []
    for name, population, count, pairs in zip(
        communes["nom"], communes["population"], communes["acteurs"].tolist(), communes["chevauchements"].tolist(), strict=True
    ):
        text = f"<b>{esc(name)}</b><br>{fmt_int(population)} habitants"
        if data.domaine:
            text += f"<br>{count} acteur(s) du domaine {esc(data.domaine_label)}"
            if pairs:
                text += "<br>Chevauchement : " + "<br>".join(esc(p) for p in pairs)
        else:
            text += f"<br>{count} acteur(s) compétent(s)"
        tooltips.append(text)
    return tooltips


def _coverage_style(props) -> dict:
    """Style of a commune on a domain's coverage map, from its ``_style`` property
    (the JSON pair [number of actors, overlap?]): colour by count, overlaps outlined."""
    count, overlap = json.loads(props["_style"])
    return {
        "fillColor": styles.coverage_color(count),
        "fillOpacity": 0.75 if count == 0 else 0.55,
        "color": styles.OVERLAP_COLOR if overlap else "#666666",
        "weight": 3 if overlap else 0.6,
        "dashArray": "6 4" if overlap else None,
    }


def _add_communes_layer(m: folium.Map, data) -> None:
    """The communes: coloured by coverage when a domain is chosen, plain otherwise."""
    communes = data.communes
    counts = communes["acteurs"].tolist()
    overlaps = communes["chevauchements"].tolist()
    frame = communes.assign(_style=[json.dumps([int(c), bool(p)]) for c, p in zip(counts, overlaps, strict=True)])
    style: Any
    if data.domaine:
        style = _coverage_style
        name = f"Couverture — {data.domaine_label}"
    else:
        style = {"fillColor": "#ffffff", "fillOpacity": 0.25, "color": "#777777", "weight": 0.6}
        name = "Communes"
    geojson_layer(frame, name=name, style=style, tooltip=_commune_tooltips(data),
                  highlight=lambda f: {"weight": 2.5, "color": "#000000"}).add_to(m)


def _add_boundary_layers(m: folium.Map, data) -> None:
    """Outlines of the intercommunalities (when any) and of the départements."""
    if len(data.epci):
        geojson_layer(data.epci, name="Intercommunalités (EPCI)", style={"fill": False, "color": "#1f78b4", "weight": 2.6},
                      tooltip=[f"<b>{esc(n)}</b>" for n in data.epci["nom"]]).add_to(m)
    geojson_layer(data.departements, name="Départements", style={"fill": False, "color": "#222222", "weight": 3.6},
                  tooltip=[f"<b>{esc(n)}</b>" for n in data.departements["nom"]]).add_to(m)


def _add_intervention_layers(m: folium.Map, data) -> None:
    """One hidden layer per family shown: the intervention areas of its actors."""
    from territoire.dossier.vocab import vocabulary

    for family in data.families_shown:
        polygons = data.coverage[data.coverage["famille"] == family]
        if polygons.empty:
            continue
        color = styles.family_color(family)
        tips = [f"Couverture de <b>{esc(n)}</b><br>{esc(c)}" for n, c in zip(polygons["nom"], polygons["couverture"], strict=True)]
        geojson_layer(
            polygons, name=f"Zones d'intervention — {vocabulary('familles').label(family)}",
            style={"fillColor": color, "fillOpacity": 0.12, "color": color, "weight": 1.5}, tooltip=tips, show=False,
        ).add_to(m)


def _add_relations_layer(m: folium.Map, relations) -> None:
    """A hidden layer of the relations between actors (when any): colour by type,
    solid when formalised, dashed otherwise, thickness by intensity."""
    if not len(relations):
        return
    group = folium.FeatureGroup(name="Relations entre acteurs", show=False)
    for rel in relations.itertuples():
        coords = [[y, x] for x, y in rel.geometry.coords]
        line = folium.PolyLine(
            coords,
            color=styles.RELATION_COLORS.get(rel.type, "#555555"),
            weight=1 + 1.2 * rel.intensite,
            opacity=0.75,
            dash_array=None if rel.formalisation in ("convention", "charte") else "5 5",
        )
        arrow = "→" if rel.oriente else "—"
        line.add_child(_BindTooltip(
            f"{esc(rel.source_nom)} {arrow} {esc(rel.cible_nom)}<br>{esc(rel.type_libelle)} ; "
            f"{esc(rel.forme_libelle)} ; formalisation : {esc(rel.formalisation_libelle)} ; intensité {rel.intensite}"
        ))
        line.add_to(group)
    group.add_to(m)


def _add_actors_layer(m: folium.Map, actors) -> None:
    """The actor markers, gathered in clusters beyond 40 actors."""
    from folium.plugins import MarkerCluster

    container = (
        MarkerCluster(name="Acteurs", options={"disableClusteringAtZoom": 14, "spiderfyOnMaxZoom": True, "maxClusterRadius": 40})
        if len(actors) > 40
        else folium.FeatureGroup(name="Acteurs")
    )
    if isinstance(container, MarkerCluster):
        container.default_js = []
        container.default_css = []
    ActorMarkers(actors).add_to(container)
    container.add_to(m)


def _actors_legend(data) -> str:
    """Legend of the actors map: families, coverage classes, relations, notes."""
    legend = _legend_families(data.families_shown)
    if data.domaine:
        legend += _legend_coverage(data.domaine_label)
    if len(data.relations):
        legend += _legend_relations(sorted(set(data.relations["type"].dropna())))
    for note in data.notes:
        legend += f"<div><small>{esc(note)}</small></div>"
    return legend


def actors_map_html(data, *, fond: str = "osm") -> str:
    """Interactive map of the actors of a workspace (see :func:`territoire.cartes.prepare_actors_map`).

    Layers, in drawing order: communes (coverage of the chosen domain), EPCI and
    départements, intervention areas by family, relations, then the actors."""
    m = new_map(data.bounds, fond=fond)
    _add_communes_layer(m, data)
    _add_boundary_layers(m, data)
    _add_intervention_layers(m, data)
    _add_relations_layer(m, data.relations)
    _add_actors_layer(m, data.actors)
    return render(m, title=data.title, subtitle=data.subtitle, source=data.source, legend=_actors_legend(data))


def boundaries_map_html(data, *, fond: str = "osm") -> str:
    """Trainer's map: one layer per administrative level, nested line weights."""
    m = new_map(data.bounds, fond=fond)
    order = [lvl for lvl in ("communes", "arrondissements", "cantons", "epci", "departements", "regions") if lvl in data.layers]
    legend_rows = []
    for level in order:
        frame = data.layers[level]
        style = styles.LEVEL_STYLES[level]
        if frame.empty:
            continue
        tips = []
        for row in frame.itertuples():
            text = f"<b>{esc(row.nom)}</b> ({esc(row.code)})"
            population = getattr(row, "population", None)
            if population is not None and population == population:
                text += f"<br>{fmt_int(population)} habitants"
            tips.append(text)
        fill = level == "communes"
        geojson_layer(
            frame, name=style["label"],
            style={"fill": fill, "fillOpacity": 0.05 if fill else 0, "fillColor": "#ffffff", "color": style["color"],
                   "weight": style["weight"], "dashArray": style["dash"]},
            tooltip=tips,
        ).add_to(m)
        legend_rows.append(
            f'<div><span style="display:inline-block;width:26px;border-top:{max(1, round(style["weight"]))}px '
            f'{"dashed" if style["dash"] else "solid"} {style["color"]};margin-right:6px;vertical-align:middle"></span>'
            f'{esc(style["label"])} ({len(frame)})</div>'
        )
    for note in data.notes:
        legend_rows.append(f"<div><small>{esc(note)}</small></div>")
    return render(m, title=data.title, source=data.source, legend="".join(legend_rows))


def placement_map_html(data, *, fond: str = "osm") -> str:
    """Placement area: circle, communes within, actors within with their distance."""
    m = new_map(data.bounds, fond=fond)
    tips = [
        f"<b>{esc(n)}</b><br>{fmt_int(p)} habitants<br>mairie à {fmt_float(d, 1)} km"
        f"<br>{fmt_float(100 * s, 0)} % de la surface dans le rayon"
        for n, p, d, s in zip(data.communes["nom"], data.communes["population"], data.communes["distance_km"], data.communes["part_dans_le_rayon"], strict=True)
    ]
    geojson_layer(
        data.communes, name="Communes touchées",
        style=lambda props: {"fillColor": "#9ecae1", "fillOpacity": 0.25, "color": "#555555", "weight": 0.8},
        tooltip=tips,
    ).add_to(m)
    import geopandas as gpd

    circle = gpd.GeoDataFrame(geometry=data.circle, crs=settings.crs(settings.CRS_WGS84))
    geojson_layer(circle, name=f"Rayon de {esc(str(data.radius_km))} km",
                  style={"fill": False, "color": "#d7301f", "weight": 3, "dashArray": "8 6"},
                  tooltip=[f"{esc(data.site_label)} : rayon de {fmt_float(data.radius_km, 1)} km"]).add_to(m)
    site = folium.Marker([data.site[1], data.site[0]], icon=folium.DivIcon(
        html='<div style="width:14px;height:14px;background:#d7301f;border:2px solid #fff;transform:rotate(45deg);'
             'box-shadow:0 0 3px #000"></div>', icon_size=(18, 18), icon_anchor=(9, 9), class_name="marqueur-lieu"))
    site.add_child(_BindTooltip(f"Lieu de stage : {esc(data.site_label)}"))
    site.add_to(m)
    group = folium.FeatureGroup(name="Acteurs dans le rayon")
    actors = data.actors if "famille_libelle" in data.actors.columns else data.actors.assign(famille_libelle="")
    ActorMarkers(actors, tooltip=lambda row: f"{esc(row['nom'])} — {fmt_float(row['distance_km'], 1)} km").add_to(group)
    group.add_to(m)
    inside = data.communes[data.communes["dans_le_rayon"]]
    subtitle = (
        f"{len(inside)} communes dont la mairie est à moins de {fmt_float(data.radius_km, 0)} km "
        f"({fmt_int(inside['population'].sum())} habitants) ; {len(data.actors)} acteur(s) dans le rayon"
    )
    families = [f for f in styles.FAMILY_COLORS if f in set(data.actors.get("famille", []))]
    legend = _legend_families(families) + "".join(f"<div><small>{esc(n)}</small></div>" for n in data.notes)
    return render(m, title=data.title, subtitle=subtitle, source=data.source, legend=legend)
