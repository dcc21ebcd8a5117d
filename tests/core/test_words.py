"""Words people read: counts with French plurals, identity values as a form writes them, labels
that say "optional" once, an organisation switcher without an empty choice."""

import datetime

import pytest
from django.template import Context, Template

from conseillers.forms import ProposalForm
from core.plurals import count_fr
from mandats.forms import OrganisationSwitchForm
from tests.factories import StructureFactory


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 candidature"), (1, "1 candidature"), (2, "2 candidatures"), (107, "107 candidatures")],
)
def test_zero_and_one_take_the_singular_in_french(count, expected):
    assert count_fr(count, "candidature") == expected


def test_a_phrase_gives_its_own_plural():
    assert count_fr(3, "mise en relation", "mises en relation") == "3 mises en relation"
    assert count_fr(1, "mise en relation", "mises en relation") == "1 mise en relation"


def render(source: str, **context) -> str:
    return Template("{% load french %}" + source).render(Context(context))


def test_the_count_filter_writes_the_plural_and_never_parentheses():
    assert render('{{ n|compte:"poste" }}', n=3) == "3 postes"
    assert render('{{ n|compte:"poste" }}', n=1) == "1 poste"
    assert render('{{ n|compte:"jeton actif,jetons actifs" }}', n=2) == "2 jetons actifs"


@pytest.mark.parametrize(
    ("gender", "expected"), [("male", "Masculin"), ("female", "Féminin"), ("", "Non renseigné")]
)
def test_gender_is_shown_in_the_words_of_a_form(gender, expected):
    assert render("{{ g|sexe }}", g=gender) == expected


@pytest.mark.parametrize("value", ["1962-08-24", datetime.date(1962, 8, 24)])
def test_a_birthdate_is_written_in_french(value):
    assert render("{{ d|date_fr }}", d=value) == "24 août 1962"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("75112", "Paris 12e arrondissement"),
        ("75101", "Paris 1er arrondissement"),
        ("37261", "Tours"),
        ("97411", "Saint-Denis (La Réunion)"),
        ("01001", "code INSEE 01001"),
        ("", "Né(e) à l&#x27;étranger"),
    ],
)
def test_a_birthplace_is_its_commune_s_name_or_its_code_spelled_out(code, expected):
    assert render("{{ c|commune }}", c=code) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [("99100", "France"), ("99134", "Espagne"), ("99999", "code INSEE 99999")],
)
def test_a_country_of_birth_is_its_name_or_its_code_spelled_out(code, expected):
    assert render("{{ c|pays }}", c=code) == expected


def test_an_optional_field_says_so_once():
    # The DSFR renderer adds "(Optionnel)" to optional fields: the label must not say it again.
    html = str(ProposalForm()["indicator_file"].label_tag())
    assert "facultatif" not in html.lower()
    assert ProposalForm().fields["indicator_file"].required is False


@pytest.mark.django_db
def test_the_organisation_switcher_offers_no_empty_choice():
    structure = StructureFactory()
    form = OrganisationSwitchForm(organisations=type(structure).objects.filter(pk=structure.pk))
    choices = [label for _, label in form.fields["organisation"].choices]
    assert choices == [str(structure)]
