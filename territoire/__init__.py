"""territoire — diagnostic territorial pour le travail social.

Library first, in layers that data flows through one way (see ARCHITECTURE.md):

- :mod:`territoire.referentiel` — reference geography (communes, EPCI, cantons,
  départements, régions), territory selection, profile;
- :mod:`territoire.dossier` — the workspace folder, its tables, vocabularies and the
  actor directory (parsing, validation, editing, import);
- :mod:`territoire.sources` — actors known from outside the workspace (the reference
  data's institutions, the embedded demo);
- :mod:`territoire.analyses` — coverage, gaps, overlaps, boundaries, distances,
  partnership network: pure functions on (Geo)DataFrames;
- :mod:`territoire.rendu` — maps, figures, the report and console text;
- :mod:`territoire.diagnostic` and :mod:`territoire.cli` — entry points.

The names below are importable from ``territoire`` itself; each is loaded on first
use, so ``import territoire`` stays instant::

    from territoire import resolve, Workspace, load_directory, analyse
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: Public entry points: name → (module, attribute or None for the module itself).
_PUBLIC: dict[str, tuple[str, str | None]] = {
    "referentiel": ("territoire.referentiel", None),
    "selection": ("territoire.referentiel.selection", None),
    "resolve": ("territoire.referentiel.selection", "resolve"),
    "territory_profile": ("territoire.referentiel.profil", "territory_profile"),
    "Workspace": ("territoire.dossier.workspace", "Workspace"),
    "load_directory": ("territoire.dossier.annuaire", "load_directory"),
    "validate": ("territoire.dossier.annuaire", "validate"),
    "create_workspace": ("territoire.sources.preremplissage", "create_workspace"),
    "create_demo": ("territoire.sources.preremplissage", "create_demo"),
    "Options": ("territoire.analyses.couverture", "Options"),
    "analyse": ("territoire.analyses.couverture", "analyse"),
    "analyse_workspace": ("territoire.analyses.reseau", "analyse_workspace"),
    "run_diagnostic": ("territoire.diagnostic", "run_diagnostic"),
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _PUBLIC[name]
    except KeyError:
        raise AttributeError(f"module 'territoire' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
