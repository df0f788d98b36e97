"""Colours, symbols and line styles shared by every map and figure (one legend
vocabulary for the interactive maps, the static maps and the partner map)."""

from __future__ import annotations

from typing import TypedDict


class LevelStyle(TypedDict):
    """How one administrative level is drawn on the boundaries map."""

    weight: float
    color: str
    dash: str | None
    label: str


#: Colour of each family (Okabe–Ito palette, readable by colour-blind readers).
FAMILY_COLORS = {
    "etat": "#0072B2",
    "collectivite": "#009E73",
    "protection-sociale": "#D55E00",
    "emploi-insertion": "#E69F00",
    "essms": "#CC79A7",
    "association": "#56B4E9",
    "habitants": "#F0E442",
    "economique": "#7F7F7F",
    "autre": "#3B3B3B",
}
#: Families drawn with dark text on their (light) colour.
LIGHT_FAMILIES = {"habitants", "association", "emploi-insertion"}

#: Number of actors covering a commune → colour of the choropleth.
COVERAGE_CLASSES = (
    (0, "aucun acteur (zone blanche)", "#d7301f"),
    (1, "1 acteur", "#c7e9c0"),
    (2, "2 acteurs", "#74c476"),
    (3, "3 acteurs ou plus", "#238b45"),
)
OVERLAP_COLOR = "#ff7f00"

#: Colour of each type of relation.
RELATION_COLORS = {
    "convention": "#1b7837",
    "informel": "#762a83",
    "financement": "#b35806",
    "orientation": "#2166ac",
    "tutelle": "#4d4d4d",
    "coordination": "#01665e",
    "mise-a-disposition": "#8c510a",
}
#: Colour of each form of partnership (partner map).
FORM_COLORS = {
    "initiative": "#1b9e77",
    "palliatif": "#d95f02",
    "impose": "#7570b3",
    None: "#999999",
}

#: Administrative levels of the boundaries map: line width, colour, dash, label.
LEVEL_STYLES: dict[str, LevelStyle] = {
    "communes": {"weight": 0.7, "color": "#8c8c8c", "dash": None, "label": "Communes"},
    "arrondissements": {"weight": 1.2, "color": "#b15928", "dash": "2 3", "label": "Arrondissements municipaux"},
    "cantons": {"weight": 1.8, "color": "#e31a1c", "dash": "6 4", "label": "Cantons"},
    "epci": {"weight": 2.6, "color": "#1f78b4", "dash": None, "label": "Intercommunalités (EPCI)"},
    "departements": {"weight": 3.6, "color": "#222222", "dash": None, "label": "Départements"},
    "regions": {"weight": 4.6, "color": "#000000", "dash": None, "label": "Régions"},
}


def family_color(code: str | None) -> str:
    return FAMILY_COLORS.get(code or "autre", FAMILY_COLORS["autre"])


def text_color(family: str | None) -> str:
    return "#111111" if family in LIGHT_FAMILIES else "#ffffff"


def coverage_color(count: int) -> str:
    for threshold, _label, color in reversed(COVERAGE_CLASSES):
        if count >= threshold:
            return color
    return COVERAGE_CLASSES[0][2]


def type_symbol(code: str | None) -> str:
    """Short text drawn inside an actor's marker (its type code, at most 4 letters)."""
    if not code:
        return "?"
    return {"MUNI": "M", "AUTRE": "?", "CARSAT": "CAR"}.get(code, code[:4])
