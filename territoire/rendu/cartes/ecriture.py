"""Writing a prepared map in the format asked for: an interactive HTML page or a
static image (PNG, SVG, PDF).

Each renderer is imported only when its format is asked for: folium for the pages,
matplotlib for the images.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from territoire._io import atomic_write_text

FORMATS = ("html", "png", "svg", "pdf")

#: Kind of map → (function of :mod:`.interactive`, function of :mod:`.statique`).
RENDERERS = {
    "acteurs": ("actors_map_html", "actors_map_image"),
    "decoupage": ("boundaries_map_html", "boundaries_map_image"),
    "stage": ("placement_map_html", "placement_map_image"),
}


def write_map(kind: str, data: Any, path: Path, fmt: str, *, fond: str = "osm", dpi: int = 150) -> Path:
    """Draw the prepared map ``data`` of ``kind`` (see :data:`RENDERERS`) into ``path``."""
    html_function, image_function = RENDERERS[kind]
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "html":
        from territoire.rendu.cartes import interactive

        atomic_write_text(path, getattr(interactive, html_function)(data, fond=fond))
    else:
        from territoire.rendu.cartes import statique

        getattr(statique, image_function)(data, path, dpi=dpi)
    return path
