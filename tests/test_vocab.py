"""Controlled vocabularies aligned on the national inclusion schema."""

from __future__ import annotations

import pytest

from territoire._errors import VocabularyError
from territoire.dossier import vocab

NATIONAL_THEMES = {
    "choisir-un-metier", "creer-une-entreprise", "difficultes-administratives-ou-juridiques",
    "difficultes-financieres", "equipement-et-alimentation", "famille", "lecture-ecriture-calcul",
    "logement-hebergement", "mobilite", "numerique", "preparer-sa-candidature", "remobilisation",
    "sante", "se-former", "souvrir-a-linternational", "trouver-un-emploi",
}
NATIONAL_PUBLICS = {
    "actifs", "beneficiaires-des-minimas-sociaux", "demandeurs-emploi", "etudiants", "familles",
    "femmes", "jeunes", "personnes-en-situation-de-handicap", "personnes-en-situation-durgence",
    "personnes-en-situation-juridique-specifique", "personnes-exilees", "residents-qpv-frr",
    "seniors", "tous-publics",
}


def test_national_codes_are_all_there_and_additions_are_marked():
    domaines = vocab.vocabulary("domaines")
    assert set(domaines.codes) >= NATIONAL_THEMES
    additions = set(domaines.codes) - NATIONAL_THEMES
    assert {"protection-enfance", "autonomie", "handicap", "acces-aux-droits", "violences"} <= additions
    assert all(domaines.get(code, "origine") == "travail social" for code in additions)
    assert set(vocab.vocabulary("publics").codes) >= NATIONAL_PUBLICS


@pytest.mark.parametrize(
    ("name", "text", "code"),
    [
        ("types", "centre social", "CS"),
        ("types", "MAIRIE", "MUNI"),
        ("types", "France Services", "RFS"),
        ("types", "caf", "CAF"),
        ("domaines", "Logement et hébergement", "logement-hebergement"),
        ("domaines", "sante", "sante"),
        ("familles", "Associations", "association"),
        ("roles", "acteur de terrain", "operationnel"),
        ("formes", "palliatif/spontané", "palliatif"),
        ("formes", "Imposé", "impose"),
        ("niveaux_reseau", "secondaire informel", "secondaire-informel"),
        ("statuts", "privé", "prive"),
    ],
)
def test_codes_labels_and_aliases_ignore_case_and_accents(name, text, code):
    assert vocab.vocabulary(name).normalize(text) == code


def test_unknown_value_lists_the_closest():
    with pytest.raises(VocabularyError) as info:
        vocab.vocabulary("domaines").normalize("mobilte")
    assert "Vouliez-vous dire : mobilite" in str(info.value)


def test_every_type_implies_a_known_family_and_coverage():
    families = set(vocab.vocabulary("familles").codes)
    for code in vocab.vocabulary("types").codes:
        assert vocab.default_family(code) in families
        assert vocab.default_coverage(code) in {"commune", "epci", "departement", "region", "france"}
    assert vocab.default_coverage("MUNI") == "commune"
    assert vocab.default_coverage("CIAS") == "epci"
    assert vocab.default_coverage("CAF") == "departement"
    assert vocab.default_coverage("REG") == "region"


def test_colliding_aliases_are_refused():
    with pytest.raises(ValueError):
        vocab.Vocabulary("x", {"a": {"libelle": "Un"}, "b": {"libelle": "un"}})


def test_partner_categories_and_directed_relations():
    assert vocab.partner_category("financeur") == "financeurs"
    assert vocab.partner_category("institutionnel") == "financeurs"
    assert vocab.partner_category("operationnel") == "terrain"
    assert vocab.is_directed("financement") and not vocab.is_directed("convention")
