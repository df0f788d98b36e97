"""Plain-text renderings for the terminal (tables, profiles, summaries)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ._text import fmt_float, fmt_int, plural


def table(rows: Iterable[Sequence[Any]], headers: Sequence[str], *, align: Sequence[str] | None = None) -> str:
    """Aligned text table (no borders), numbers already formatted by the caller."""
    from tabulate import tabulate

    return tabulate(
        list(rows),
        headers=list(headers),
        tablefmt="simple",
        colalign=tuple(align) if align else None,
        disable_numparse=True,
    )


def render_profile(profile) -> str:
    """Human summary of a :class:`~territoire.profil.Profile`, in French."""
    lines = [profile.label, "=" * len(profile.label)]
    lines.append(
        f"{plural(len(profile.communes), 'commune')} — {fmt_int(profile.population)} habitants — "
        f"{fmt_float(profile.surface_km2)} km² — {fmt_float(profile.density)} hab./km²"
    )
    deps = profile.departements
    lines.append(
        "Département(s) : "
        + ", ".join(
            f"{row.nom} ({code}, {row.communes_dans_le_territoire}/{row.communes_total} communes)"
            for code, row in deps.iterrows()
        )
    )
    lines.append("Région(s) : " + ", ".join(f"{row.nom} ({code})" for code, row in profile.regions.iterrows()))
    lines.append("")
    lines.append(f"Intercommunalités (EPCI) touchées : {len(profile.epci)}")
    for siren, row in profile.epci.iterrows():
        whole = "en entier" if row.entier else "en partie"
        lines.append(
            f"  - {row.nom} ({siren}) : {row.communes_dans_le_territoire} communes sur "
            f"{row.communes_total}, {whole}"
        )
    cantons = profile.cantons
    partial = int((~cantons["entier"]).sum()) if len(cantons) else 0
    lines.append(f"Cantons touchés : {len(cantons)} (dont {partial} en partie)")
    for code, row in cantons.iterrows():
        whole = "en entier" if row.entier else "en partie"
        lines.append(
            f"  - {row.nom} ({code}) : {row.communes_dans_le_territoire} communes sur "
            f"{row.communes_total}, {whole}"
        )
    lines.append("")
    lines.append("Classes de densité des communes :")
    for label, row in profile.density_classes.iterrows():
        lines.append(
            f"  - {label} : {plural(int(row.communes), 'commune')}, {fmt_int(row.population)} habitants"
        )
    lines.append("")
    lines.append("Communes :")
    rows = [
        (
            code,
            row.nom,
            fmt_int(row.population),
            fmt_float(row.surface_km2, 2),
            fmt_float(row.densite_hab_km2),
            row.classe_densite,
        )
        for code, row in profile.communes.iterrows()
    ]
    lines.append(
        table(
            rows,
            ["Code", "Commune", "Population", "Surface (km²)", "Densité (hab./km²)", "Classe de densité"],
            align=["left", "left", "right", "right", "right", "left"],
        )
    )
    lines.append("")
    lines.extend(f"Note : {note}" for note in profile.notes)
    return "\n".join(lines)
