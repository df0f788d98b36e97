"""Every coverage analysis of a workspace at once (``territoire analyser``): the
options, the :class:`Analysis` holding each result table, and their CSV/JSON export.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from territoire.analyses.chevauchements import overlaps, uncoordinated_overlaps
from territoire.analyses.decoupages import boundary_splits, crossing_sectors
from territoire.analyses.densite import offer_density
from territoire.analyses.distances import DEFAULT_DISTANCES, distances
from territoire.analyses.matrice import DEFAULT_THRESHOLD, Coverage, ZoneReader, build_coverage
from territoire.analyses.zones_blanches import counts_by, gaps

# --------------------------------------------------------------------------- workspace level


@dataclass
class Options:
    """Filters and parameters of ``territoire analyser``."""

    domaines: list[str] | None = None
    types: list[str] | None = None
    familles: list[str] | None = None
    publics: list[str] | None = None
    threshold: float = DEFAULT_THRESHOLD
    distances: tuple[float, ...] = DEFAULT_DISTANCES
    date: dt.date | None = None
    exclude: tuple[str, ...] = ()


@dataclass
class Analysis:
    """Everything ``territoire analyser`` computes, ready to be written or shown."""

    territory_label: str
    communes: Any
    actors: Any
    coverage: Coverage
    counts: pd.DataFrame
    gaps: pd.DataFrame
    type_counts: pd.DataFrame
    type_gaps: pd.DataFrame
    overlaps: pd.DataFrame
    splits: pd.DataFrame
    crossings: pd.DataFrame
    distances: pd.DataFrame
    distance_summary: pd.DataFrame
    uncoordinated: pd.DataFrame
    density: pd.DataFrame
    domains_without_actor: list[str]
    left_out: pd.DataFrame
    options: Options

    def tables(self) -> dict[str, pd.DataFrame]:
        """Named tables written as CSV (one per analysis)."""
        names = self.communes["nom"]
        pairs = self.coverage.pairs()
        pairs.insert(1, "nom_acteur", pairs["acteur"].map(self.actors["nom"]))
        pairs.insert(3, "nom_commune", pairs["commune"].map(names))
        wide = self.counts.copy()
        wide.insert(0, "commune", names.reindex(wide.index))
        wide.insert(1, "population", self.communes["population"].reindex(wide.index))
        return {
            "matrice_couverture": pairs,
            "couverture_domaines": wide.reset_index(),
            "zones_blanches_domaines": self.gaps,
            "zones_blanches_types": self.type_gaps,
            "chevauchements": self.overlaps,
            "decoupages_coupes": self.splits,
            "secteurs_croises": self.crossings,
            "distances": self.distances,
            "distances_synthese": self.distance_summary,
            "chevauchements_sans_coordination": self.uncoordinated,
            "densite_offre": self.density,
            "acteurs_laisses_de_cote": self.left_out,
        }


def _filter(actors, options: Options):
    from territoire.dossier import vocab

    mask = pd.Series(True, index=actors.index)
    if options.types:
        codes = {vocab.vocabulary("types").normalize(t) for t in options.types}
        mask &= actors["type"].isin(codes)
    if options.familles:
        codes = {vocab.vocabulary("familles").normalize(t) for t in options.familles}
        mask &= actors["famille"].isin(codes)
    if options.publics:
        codes = {vocab.vocabulary("publics").normalize(t) for t in options.publics}
        mask &= actors["publics"].map(lambda p: bool(codes & set(p)) or "tous-publics" in p)
    if options.exclude:
        mask &= ~actors.index.isin(options.exclude)
    return actors[mask]


def analyse(directory, options: Options | None = None, *, territory=None) -> Analysis:
    """Run every coverage analysis on a parsed directory (see :mod:`territoire.annuaire`)."""
    from territoire import referentiel

    options = options or Options()
    workspace = directory.workspace
    territory = territory or workspace.territory()
    communes = referentiel.communes(departements=territory.departements).loc[list(territory.communes)]

    def zone_reader(path: str):
        import geopandas as gpd

        return gpd.read_file(workspace.resolve_path(path))

    result = analyse_frames(
        _filter(directory.actors, options), communes, directory.relations, options,
        zone_reader=zone_reader, date=options.date or workspace.date, label=territory.label,
    )
    result.left_out = _left_out(result.coverage, result.actors, directory.problems)
    return result


def analyse_frames(
    actors,
    communes,
    relations: pd.DataFrame,
    options: Options | None = None,
    *,
    zone_reader: ZoneReader | None = None,
    date: dt.date | None = None,
    label: str = "",
    all_communes: pd.DataFrame | None = None,
) -> Analysis:
    """Every coverage analysis from frames: parsed actors, the communes under study
    (GeoDataFrame of the reference layer) and parsed relations."""
    from territoire import referentiel
    from territoire.dossier import vocab

    options = options or Options()
    all_communes = all_communes if all_communes is not None else referentiel.communes(geometry=False)
    coverage = build_coverage(actors, communes, all_communes=all_communes, threshold=options.threshold, zone_reader=zone_reader)
    order = vocab.vocabulary("domaines").codes
    if options.domaines:
        domains = [vocab.vocabulary("domaines").normalize(d) for d in options.domaines]
    else:
        domains = sorted({d for ds in actors["domaines"] for d in ds}, key=order.index)
    counts = counts_by(coverage, actors, "domaines", domains)
    gap_table = gaps(counts, communes)
    type_values = sorted({t for t in actors["type"] if isinstance(t, str)})
    type_counts = counts_by(coverage, actors, "type", type_values)
    type_gaps = gaps(type_counts.drop(columns="tous"), communes)
    overlap_table = overlaps(coverage, actors, communes)
    if len(overlap_table):
        overlap_table = overlap_table[overlap_table["domaines"].isin(domains)].reset_index(drop=True)
    epci_table = referentiel.epci(geometry=False)
    territory = list(communes.index)
    splits = boundary_splits(
        actors, all_communes, epci=epci_table, cantons=referentiel.cantons(geometry=False),
        territory=territory,
    )
    crossings = crossing_sectors(actors, territory=territory)
    detail, summary = distances(coverage, actors, communes, values=domains, thresholds=options.distances)
    uncoordinated = uncoordinated_overlaps(coverage, actors, communes, relations, date=date)
    if len(uncoordinated) and options.domaines:
        wanted = set(domains)
        keep = [not wanted.isdisjoint(d.split("|")) for d in uncoordinated["domaines"].tolist()]
        uncoordinated = uncoordinated[keep].reset_index(drop=True)
    density = offer_density(actors, communes, epci=epci_table)
    no_domain = [d for d in domains if d in counts.columns and counts[d].sum() == 0]
    left_out = coverage.excluded.assign(portee="entièrement")[["acteur", "nom", "portee", "raison"]]
    return Analysis(
        label, communes, actors, coverage, counts, gap_table, type_counts, type_gaps,
        overlap_table, splits, crossings, detail, summary, uncoordinated, density,
        no_domain, left_out, options,
    )


def _left_out(coverage: Coverage, actors, problems) -> pd.DataFrame:
    """Actors left out of the coverage, wholly or in part, with the reason."""
    reasons: dict[str, list[str]] = {}
    for problem in problems:
        if problem.fichier == "acteurs.csv" and problem.colonne == "couverture" and problem.acteur in actors.index:
            reasons.setdefault(problem.acteur, []).append(problem.message)
    rows = []
    for row in coverage.excluded.itertuples():
        specific = reasons.pop(row.acteur, None)
        rows.append((row.acteur, row.nom, "entièrement", "; ".join(specific) if specific else row.raison))
    for actor, messages in reasons.items():
        rows.append((actor, actors.at[actor, "nom"], "en partie", "; ".join(messages)))
    return pd.DataFrame(rows, columns=["acteur", "nom", "portee", "raison"])


def write_tables(analysis: Analysis, folder: Path, *, json_too: bool = False) -> list[Path]:
    """Write one CSV per analysis (``;``-separated, UTF-8 with BOM) and optionally JSON."""
    from territoire._io import atomic_write_text

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in analysis.tables().items():
        path = folder / f"{name}.csv"
        atomic_write_text(path, "\ufeff" + table.to_csv(sep=";", index=False, lineterminator="\n"))
        written.append(path)
        if json_too:
            jpath = folder / f"{name}.json"
            atomic_write_text(jpath, table.to_json(orient="records", force_ascii=False, indent=1, date_format="iso"))
            written.append(jpath)
    return written
