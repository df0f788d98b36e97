"""Selecting a territory by name or code."""

from __future__ import annotations

import pytest

from territoire import referentiel
from territoire._errors import (
    AmbiguousNameError,
    SpecError,
    UnknownCodeError,
    UnknownNameError,
    WrongKindError,
)
from territoire.referentiel.selection import resolve, resolve_token, split_list

from .facts import DEPARTEMENTS


def test_epci_by_name_and_by_code_give_the_same_communes():
    by_name = resolve("Le Grand Périgueux")
    by_code = resolve("200040392", "epci")
    assert by_name.communes == by_code.communes
    assert len(by_name.communes) == 43
    assert by_name.tokens == ["epci:200040392"]
    assert by_name.label == "Communauté d'agglomération Le Grand Périgueux"


@pytest.mark.parametrize("text", ["le grand perigueux", "Grand Périgueux", "GRAND-PERIGUEUX"])
def test_names_ignore_case_accents_punctuation_and_article(text):
    assert resolve(text).tokens == ["epci:200040392"]


@pytest.mark.parametrize("code", sorted(DEPARTEMENTS))
def test_every_departement_resolves_with_its_communes(code):
    territory = resolve(code, "departement")
    communes = referentiel.communes(geometry=False)
    expected = communes.index[communes["departement"] == code]
    assert set(territory.communes) == set(expected)
    assert len(territory.communes) > 0
    assert resolve(DEPARTEMENTS[code][0], "departement").communes == territory.communes


def test_bare_codes_by_shape():
    assert resolve("24322").tokens == ["commune:24322"]
    assert resolve("24").tokens == ["departement:24"]
    assert resolve("2A").tokens == ["departement:2A"]
    assert resolve("974").tokens == ["departement:974"]
    assert resolve("200040392").tokens == ["epci:200040392"]
    assert resolve("region:75").tokens == ["region:75"]
    assert resolve("canton:2412").tokens == ["canton:2412"]
    assert resolve("france").communes == tuple(sorted(referentiel.communes(geometry=False).index))


def test_lists_of_codes_and_names():
    territory = resolve("24322|24053")
    assert territory.communes == ("24053", "24322")
    assert resolve("24322,24053").communes == territory.communes
    assert resolve(["Périgueux", "Boulazac Isle Manoire"], "commune").communes == territory.communes
    assert split_list("a | b") == ["a", "b"]


def test_region_union_of_its_departements():
    region = resolve("Nouvelle-Aquitaine")
    communes = referentiel.communes(geometry=False)
    assert set(region.communes) == set(communes.index[communes["region"] == "75"])


def test_canton_by_code_and_name():
    by_code = resolve("2412", "canton")
    assert by_code.communes == resolve("Périgord Central", "canton").communes
    assert resolve("canton:Périgord Central").communes == by_code.communes


def test_same_communes_under_two_kinds_is_not_ambiguous():
    assert resolve("Paris").communes == ("75056",)
    assert resolve("Mayotte").communes == resolve("976", "departement").communes


def test_ambiguous_name_lists_candidates_with_departement():
    with pytest.raises(AmbiguousNameError) as info:
        resolve("Saint-Martin")
    message = str(info.value)
    assert "plusieurs territoires" in message
    assert "Gers 32" in message and "Bas-Rhin 67" in message
    assert len(info.value.candidates) >= 4
    assert "\n" not in message
    # the hint it gives works
    assert resolve("Saint-Martin (32)").communes == ("32389",)


def test_misspelt_name_suggests_the_closest():
    with pytest.raises(UnknownNameError) as info:
        resolve("Perigeux")
    assert info.value.suggestions[0] == "Périgueux"
    assert "Vouliez-vous dire" in str(info.value)


def test_unknown_code_and_wrong_kind():
    with pytest.raises(UnknownCodeError, match="Aucune commune n'a le code « 99999 »"):
        resolve("99999")
    with pytest.raises(WrongKindError, match="--commune 24322"):
        resolve("24322", "departement")
    with pytest.raises(WrongKindError, match="--departement 24"):
        resolve("24", "epci")
    with pytest.raises(UnknownCodeError):
        resolve("12345678", None)


def test_empty_specifications():
    with pytest.raises(SpecError, match="vide"):
        resolve("")
    with pytest.raises(SpecError, match="vide"):
        resolve([], "commune")
    with pytest.raises(SpecError, match="il manque"):
        resolve_token("epci:")


def test_leading_zero_dropped_by_a_spreadsheet_is_restored():
    assert resolve("1001", "commune").communes == ("01001",)
