"""Static maps (PNG, SVG, PDF) with matplotlib, ready to paste into a report.

Lambert-93 for metropolitan France (the overseas départements in their own
projection), a title, a legend, a scale bar, a source line, labels moved apart so
that they do not overlap where it can be avoided, and any resolution (300 dpi on
request).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no screen needed

import matplotlib.pyplot as plt
from matplotlib.artist import Artist
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from territoire import settings
from territoire._text import fmt_float
from territoire.rendu import styles

FORMATS = ("png", "svg", "pdf")
#: Figure size in inches (A4 landscape width minus margins).
FIGSIZE = (11.0, 8.0)
#: Iterations of adjustText when moving labels apart.
ADJUST_ITERATIONS = 60


def _metric_crs(frame) -> str:
    zones = set(frame["zone"]) if "zone" in frame.columns else {"metropole"}
    return settings.crs_of_zone(zones.pop()) if len(zones) == 1 else settings.crs(settings.CRS_LAMBERT93)


def _figure(title: str, subtitle: str = ""):
    fig, ax = plt.subplots(figsize=FIGSIZE)
    ax.set_axis_off()
    ax.set_aspect("equal")
    fig.text(0.02, 0.975, title, fontsize=14, fontweight="bold", ha="left", va="top")
    if subtitle:
        fig.text(0.02, 0.94, subtitle, fontsize=10, color="#333333", ha="left", va="top")
    return fig, ax


def _finish(fig, ax, *, source: str, handles, path: Path, dpi: int, legend_title: str = "Légende") -> Path:
    from matplotlib_scalebar.scalebar import ScaleBar

    ax.add_artist(ScaleBar(1, units="m", location="lower left", box_alpha=0.7, font_properties={"size": 8}))
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
                  title=legend_title, title_fontsize=9, frameon=True)
    import textwrap

    fig.text(0.01, 0.01, "\n".join(textwrap.wrap(f"Sources : {source}", 190)), fontsize=7, color="#444444", ha="left", va="bottom")
    fig.subplots_adjust(left=0.02, right=0.74, top=0.91, bottom=0.06)
    return save_figure(fig, path, dpi=dpi)


def save_figure(fig, path: Path, *, dpi: int) -> Path:
    """Write and close ``fig`` (format from the file suffix), atomically, with no
    date in the file metadata so that the same figure gives the same bytes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = path.suffix.lstrip(".").lower()
    tmp = path.with_name(f".{path.name}.tmp")
    options: dict[str, Any] = {"metadata": {"Date": None}} if fmt == "svg" else {}
    if fmt == "pdf":
        options = {"metadata": {"CreationDate": None, "ModDate": None}}
    if fmt == "png":
        # zlib level 3: a file about as small as level 6, written twice as fast
        options = {"pil_kwargs": {"compress_level": 3}}
    try:
        # a fixed salt: the clip-path and glyph ids of an SVG are the same on every run
        with plt.rc_context({"svg.hashsalt": "territoire"}):
            fig.savefig(tmp, format=fmt, dpi=dpi, **options)
    finally:
        plt.close(fig)
    tmp.replace(path)
    return path


def _labels(ax, frame, column: str, *, limit: int, size: int = 7) -> None:
    """Names of the ``limit`` most populous features, moved apart (adjustText), each
    moved name tied to its place by a thin line."""
    import numpy as np
    from adjustText import adjust_text
    from matplotlib.collections import LineCollection

    chosen = frame.sort_values("population", ascending=False).head(limit) if "population" in frame.columns else frame.head(limit)
    texts, anchors = [], []
    for geometry, name in zip(chosen.geometry, chosen[column], strict=True):
        if geometry is None or geometry.is_empty:
            continue
        point = geometry.representative_point()
        anchors.append((point.x, point.y))
        texts.append(ax.text(point.x, point.y, str(name), fontsize=size, ha="center", va="center", zorder=5,
                             color="#111111", bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7}))
    if not texts:
        return
    state = np.random.get_state()  # adjustText jitters labels: same seed, same image
    np.random.seed(0)
    try:
        # a number of iterations, not a time limit: the same map on any machine
        adjust_text(texts, ax=ax, expand=(1.05, 1.2), max_move=(12, 12), ensure_inside_axes=True, iter_lim=ADJUST_ITERATIONS)
    finally:
        np.random.set_state(state)
    # plain segments rather than adjustText's arrows (curved patches, slow to draw)
    start = ax.transData.transform(np.array(anchors))
    end = ax.transData.transform(np.array([t.get_position() for t in texts]))
    moved = np.hypot(*(end - start).T) > 6  # pixels
    if moved.any():
        segments = [[a, t.get_position()] for a, t, m in zip(anchors, texts, moved, strict=True) if m]
        ax.add_collection(LineCollection(segments, colors="#777777", linewidths=0.5, zorder=4.9))


def actors_map_image(data, path: Path, *, dpi: int = 150, labels: int = 12) -> Path:
    """Static map of the actors (see :func:`territoire.cartes.prepare_actors_map`)."""
    from territoire.dossier.vocab import vocabulary

    crs = _metric_crs(data.communes)
    communes = data.communes.to_crs(crs)
    fig, ax = _figure(data.title, data.subtitle)
    handles: list[Artist] = []
    if data.domaine:
        colors = [styles.coverage_color(int(c)) for c in communes["acteurs"]]
        communes.plot(ax=ax, color=colors, edgecolor="#777777", linewidth=0.4)
        overlap = communes[communes["chevauchements"].map(bool)]
        if len(overlap):
            overlap.boundary.plot(ax=ax, color=styles.OVERLAP_COLOR, linewidth=1.8, linestyle="--")
        handles += [Patch(facecolor=c, edgecolor="#555555", label=t) for _, t, c in styles.COVERAGE_CLASSES]
        handles.append(Line2D([], [], color=styles.OVERLAP_COLOR, linestyle="--", linewidth=1.8, label="chevauchement"))
    else:
        communes.plot(ax=ax, color="#f2f2ee", edgecolor="#9a9a9a", linewidth=0.4)
    if len(data.epci):
        data.epci.to_crs(crs).boundary.plot(ax=ax, color="#1f78b4", linewidth=1.4)
        handles.append(Line2D([], [], color="#1f78b4", linewidth=1.4, label="limite d'EPCI"))
    data.departements.to_crs(crs).boundary.plot(ax=ax, color="#222222", linewidth=2.0)
    handles.append(Line2D([], [], color="#222222", linewidth=2.0, label="limite de département"))
    x0, y0, x1, y1 = communes.total_bounds
    pad_x, pad_y = (x1 - x0) * 0.04, (y1 - y0) * 0.04
    if len(data.relations):
        lines = data.relations.to_crs(crs)
        for rel, geometry in zip(lines.itertuples(), lines.geometry, strict=True):
            xs, ys = geometry.xy
            ax.plot(xs, ys, color=styles.RELATION_COLORS.get(rel.type, "#555555"), linewidth=0.4 + 0.4 * rel.intensite,
                    alpha=0.55, linestyle="-" if rel.formalisation in ("convention", "charte") else ":", zorder=3)
        handles.append(Line2D([], [], color="#555555", linewidth=1, label="relation (pointillé : informelle)"))
    actors = data.actors.to_crs(crs)
    for family in data.families_shown:
        part = actors[actors["famille"] == family]
        ax.scatter(part.geometry.x, part.geometry.y, s=28, color=styles.family_color(family), edgecolor="#222222",
                   linewidth=0.6, zorder=4)
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=6, markerfacecolor=styles.family_color(family),
                              markeredgecolor="#222222", label=vocabulary("familles").label(family)))
    _labels(ax, communes, "nom", limit=labels)
    ax.set_xlim(x0 - pad_x, x1 + pad_x)
    ax.set_ylim(y0 - pad_y, y1 + pad_y)
    return _finish(fig, ax, source=data.source, handles=handles, path=path, dpi=dpi)


def boundaries_map_image(data, path: Path, *, dpi: int = 150) -> Path:
    """Static map of administrative boundaries, nested line weights."""
    frames = [f for f in data.layers.values() if len(f)]
    crs = _metric_crs(frames[0])
    fig, ax = _figure(data.title)
    handles: list[Artist] = []
    order = [lvl for lvl in ("communes", "arrondissements", "cantons", "epci", "departements", "regions") if lvl in data.layers]
    for level in order:
        frame = data.layers[level]
        if frame.empty:
            continue
        style = styles.LEVEL_STYLES[level]
        metric = frame.to_crs(crs)
        if level == "communes":
            metric.plot(ax=ax, color="#fbfbf8", edgecolor=style["color"], linewidth=0.35)
        else:
            metric.boundary.plot(ax=ax, color=style["color"], linewidth=style["weight"] * 0.6,
                                 linestyle="--" if style["dash"] else "-")
        handles.append(Line2D([], [], color=style["color"], linewidth=style["weight"] * 0.6,
                              linestyle="--" if style["dash"] else "-", label=f"{style['label']} ({len(frame)})"))
    label_level = "epci" if "epci" in data.layers and len(data.layers["epci"]) > 1 else ("cantons" if "cantons" in data.layers else order[0])
    labelled = data.layers[label_level].to_crs(crs)
    _labels(ax, labelled, "nom_court" if "nom_court" in labelled.columns else "nom", limit=25, size=6)
    source = data.source + ("" if not data.notes else " — " + " ".join(data.notes))
    return _finish(fig, ax, source=source, handles=handles, path=path, dpi=dpi)


def placement_map_image(data, path: Path, *, dpi: int = 150) -> Path:
    """Static map of a placement area."""
    import geopandas as gpd
    from shapely.geometry import Point

    crs = _metric_crs(data.communes)
    fig, ax = _figure(data.title, f"{len(data.actors)} acteur(s) dans le rayon")
    communes = data.communes.to_crs(crs)
    communes.plot(ax=ax, color=["#c6dbef" if inside else "#f2f2ee" for inside in communes["dans_le_rayon"]],
                  edgecolor="#888888", linewidth=0.4)
    gpd.GeoSeries(data.circle, crs=settings.crs(settings.CRS_WGS84)).to_crs(crs).boundary.plot(ax=ax, color="#d7301f", linewidth=1.8, linestyle="--")
    site = gpd.GeoSeries([Point(*data.site)], crs=settings.crs(settings.CRS_WGS84)).to_crs(crs)
    ax.scatter(site.x, site.y, marker="D", s=60, color="#d7301f", edgecolor="white", zorder=5)
    handles = [
        Patch(facecolor="#c6dbef", edgecolor="#888888", label="mairie dans le rayon"),
        Line2D([], [], color="#d7301f", linestyle="--", label=f"rayon de {fmt_float(data.radius_km, 0)} km"),
        Line2D([], [], marker="D", linestyle="", color="#d7301f", label="lieu de stage"),
    ]
    if len(data.actors):
        actors = data.actors.to_crs(crs)
        colors = [styles.family_color(f) for f in actors.get("famille", ["autre"] * len(actors))]
        ax.scatter(actors.geometry.x, actors.geometry.y, s=22, color=colors, edgecolor="#222222", linewidth=0.5, zorder=4)
        handles.append(Line2D([], [], marker="o", linestyle="", color="#888888", label="acteur (couleur : famille)"))
    _labels(ax, communes[communes["dans_le_rayon"]], "nom", limit=15)
    return _finish(fig, ax, source=data.source, handles=handles, path=path, dpi=dpi)
