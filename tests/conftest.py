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
