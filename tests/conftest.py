"""Shared fixtures: the reference cache is built once per test session (offline)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def referentiel_ready():
    """Build (or reuse) the GeoParquet cache of the reference data."""
    from territoire import referentiel

    return referentiel.ensure_cache()


@pytest.fixture(scope="session")
def communes_fr(referentiel_ready):
    from territoire import referentiel

    return referentiel.communes(geometry=False)


@pytest.fixture()
def demo(tmp_path, referentiel_ready):
    """A fresh copy of the embedded demo workspace."""
    from territoire.sources.preremplissage import create_demo

    return create_demo(tmp_path / "demo")


@pytest.fixture(scope="session")
def demo_session(tmp_path_factory, referentiel_ready):
    """One demo workspace shared by read-only tests."""
    from territoire.sources.preremplissage import create_demo

    return create_demo(tmp_path_factory.mktemp("demo") / "demo")


def write_workspace(folder, actors_csv: str, relations_csv: str = "source;cible;type\n", perimetre="epci:200040392"):
    """A small workspace written by hand (text exactly as given)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "territoire.toml").write_text(
        f'titre = "Test"\n[territoire]\nperimetre = ["{perimetre}"]\n', encoding="utf-8"
    )
    (folder / "acteurs.csv").write_text(actors_csv, encoding="utf-8")
    (folder / "relations.csv").write_text(relations_csv, encoding="utf-8")
    (folder / "zones").mkdir(exist_ok=True)
    from territoire.dossier.workspace import Workspace

    return Workspace(folder)
