"""The diagnosis report as a document model (headings, paragraphs, tables, figures),
built from the analyses, independent of its formats (HTML, DOCX, Markdown: see
:mod:`territoire.rapport_formats`).

Every finding states its number and its source; the synthesis ends with questions
for the student's own analysis, from the course framework on partnership, network
and territory (what works, limits, steering, communication, feedback from the
public, evolution, and the representations the data cannot show).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

# --------------------------------------------------------------------------- model


@dataclass
class Heading:
    level: int
    text: str
    anchor: str = ""
    wide: bool = False  # a part of wide tables: landscape pages where the format has pages


@dataclass
class Paragraph:
    text: str
    kind: str = "texte"  # texte, note, constat, question, alerte, a-completer


@dataclass
class Bullets:
    items: list[str]
    kind: str = "texte"


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    caption: str = ""
    numeric: list[int] = field(default_factory=list)  # columns aligned right


@dataclass
class Figure:
    path: Path
    caption: str


@dataclass
class Link:
    text: str
    target: str  # path relative to the report folder


@dataclass
class Report:
    title: str
    subtitle: str
    author: str
    date: dt.date
    blocks: list[Any]
    sources: list[str]
    findings: list[str] = field(default_factory=list)  # those of the synthesis


# --------------------------------------------------------------------------- inputs


@dataclass
class Material:
    """What the diagnosis produced, for the report (None where a step failed)."""

    workspace: Any
    date: dt.date
    directory: Any = None
    profile: Any = None
    coverage: Any = None
    network: Any = None
    figures: dict[str, Path] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    source_line: str = ""

    @cached_property
    def actor_names(self) -> dict[str, str]:
        """Name of each actor of the directory, by identifier."""
        actors = self.directory.actors
        return dict(zip(actors.index, actors["nom"], strict=True))
