"""Reading what spreadsheets really write, and writing without losing anything."""

from __future__ import annotations

import os

import pytest

from territoire.dossier import tables
from territoire.dossier.acteurs import Context, parse_actors
from territoire.dossier.workspace import ACTOR_ALIASES, ACTOR_COLUMNS
from territoire.referentiel.selection import resolve

FRENCH_EXCEL = (
    "id;Nom;Type;Commune;Latitude;Longitude;Téléphone;Ma colonne;;\r\n"
    "caf;Caisse d'allocations familiales;CAF;Périgueux;45,1862;0,7225;05 00 00 00 00;à garder;;\r\n"
    "abg;Association de l'Ain;ASSO;1001;;;;;;\r\n"
    ";;;;;;;;;\r\n"
    ";;;;;;;;;\r\n"
)


def test_french_excel_file_loads_without_a_word(tmp_path):
    path = tmp_path / "acteurs.csv"
    path.write_bytes(FRENCH_EXCEL.encode("cp1252"))
    table = tables.read_table(path, ACTOR_COLUMNS, ACTOR_ALIASES, decimal_columns=("latitude", "longitude"))
    assert table.dialect.encoding == "cp1252"
    assert table.dialect.delimiter == ";"
    assert table.dialect.decimal == ","
    assert table.dialect.lineterminator == "\r\n"
    assert len(table.frame) == 2  # trailing empty rows dropped
    assert list(table.frame.columns) == ["id", "Nom", "Type", "Commune", "Latitude", "Longitude", "Téléphone", "Ma colonne"]
    assert table.columns["telephone"] == "Téléphone"
    assert table.extra_columns == ["Ma colonne"]
    assert table.lines == [2, 3]
    context = Context(frozenset(resolve("200040392").communes))
    actors = parse_actors(table, context).frame
    caf = actors.loc["caf"]
    assert caf["nom"] == "Caisse d'allocations familiales"
    assert caf["latitude"] == pytest.approx(45.1862)
    assert caf["longitude"] == pytest.approx(0.7225)
    assert caf["commune"] == "24322"
    assert actors.loc["abg", "commune"] == "01001"  # leading zero dropped by the spreadsheet


@pytest.mark.parametrize(
    ("encoding", "sep", "bom"),
    [("utf-8", ",", True), ("utf-8", ",", False), ("utf-8", "\t", False), ("cp1252", ";", False)],
)
def test_dialects_round_trip_byte_for_byte(tmp_path, encoding, sep, bom):
    value = "texte ; avec, séparateurs"
    quoted = value if sep == "\t" else f'"{value}"'
    text = sep.join(["id", "nom", "notes"]) + "\n" + sep.join(["a", "Épicerie", quoted]) + "\n"
    raw = text.encode(encoding)
    if bom:
        raw = b"\xef\xbb\xbf" + raw
    path = tmp_path / "t.csv"
    path.write_bytes(raw)
    table = tables.read_table(path, ACTOR_COLUMNS)
    assert table.frame.loc[0, "notes"] == "texte ; avec, séparateurs"
    tables.write_table(table)
    assert path.read_bytes() == raw


def test_write_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "acteurs.csv"
    path.write_text("id;nom\na;A\n", encoding="utf-8")
    table = tables.read_table(path, ACTOR_COLUMNS)
    table.append({"id": "b", "nom": "B"})

    def crash(*_args, **_kwargs):
        raise OSError("disque plein")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        tables.write_table(table)
    assert path.read_text(encoding="utf-8") == "id;nom\na;A\n"
    assert [p.name for p in tmp_path.iterdir()] == ["acteurs.csv"]


def test_unencodable_character_falls_back_to_utf8(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("id;nom\na;Élan\n".encode("cp1252"))
    table = tables.read_table(path, ACTOR_COLUMNS)
    table.append({"id": "b", "nom": "Accueil ≥ 18 ans"})
    notes = tables.write_table(table)
    assert notes and "UTF-8" in notes[0]
    assert tables.read_table(path, ACTOR_COLUMNS).frame["nom"].tolist() == ["Élan", "Accueil ≥ 18 ans"]


def test_parse_decimal():
    assert tables.parse_decimal("45,18") == 45.18
    assert tables.parse_decimal(" 0.72 ") == 0.72
    assert tables.parse_decimal("") is None
    assert tables.parse_decimal("abc") is None
