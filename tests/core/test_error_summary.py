"""Long forms in error open on the DSFR error summary: one link to each field in error, focused
on load; short forms keep only the error next to the field."""

import pytest

from conseillers.forms import CandidatureForm, ReasonForm
from core.models import Structure

pytestmark = pytest.mark.django_db


def summary_of(page: str) -> str:
    start = page.index('<div class="fr-alert fr-alert--error')
    return page[start : page.index("</div>", start)]


def test_the_application_form_in_error_opens_on_a_summary_linking_each_field(
    client, structure, gestionnaire
):
    client.force_login(gestionnaire)
    response = client.post(
        "/conseillers/candidatures/nouvelle/",
        {"structure": structure.pk, "contact_email": "pas-une-adresse", "posts_wished": "2"},
    )
    page = response.content.decode()
    summary = summary_of(page)
    assert 'tabindex="-1" autofocus' in summary
    assert "Le formulaire contient 4 erreurs" in summary
    for field in ("contact_name", "contact_email", "motivation", "start_date"):
        assert f'href="#id_{field}"' in summary
        assert f'id="id_{field}"' in page  # each link lands on its field
    assert "Saisissez une adresse e-mail valide." in summary
    assert 'href="#id_posts_wished"' not in summary  # a valid field is not listed
    assert page.index("fr-alert--error") < page.index('id="id_structure"')  # at the top


def test_the_summary_counts_in_french_and_lists_form_wide_errors_unlinked():
    form = CandidatureForm(
        {"c-contact_name": "Claire"}, structures=Structure.objects.none(), prefix="c"
    )
    form.is_valid()
    form.add_error(None, "Une erreur de tout le formulaire.")
    summary = form.error_summary()
    assert summary is not None
    assert summary["id"] == "erreurs-c-formulaire"
    assert summary["items"][0] == {
        "anchor": None,
        "label": None,
        "message": "Une erreur de tout le formulaire.",
    }
    assert {item["anchor"] for item in summary["items"][1:]} == {
        "id_c-structure",
        "id_c-contact_email",
        "id_c-posts_wished",
        "id_c-motivation",
        "id_c-start_date",
    }


def test_a_one_field_form_has_no_summary_only_the_error_next_to_the_field():
    form = ReasonForm({"acte-reason": ""}, prefix="acte", motive_required=True)
    assert not form.is_valid()
    assert form.error_summary() is None
    html = str(form)
    assert "fr-alert--error" not in html
    assert "Indiquez le motif de cette décision." in html


def test_a_valid_form_has_no_summary():
    form = ReasonForm({"acte-reason": "Motif."}, prefix="acte", motive_required=True)
    assert form.is_valid()
    assert form.error_summary() is None


def test_a_required_motive_is_not_labelled_optional():
    assert "(Optionnel)" not in str(ReasonForm(prefix="acte", motive_required=True))
    assert "(Optionnel)" in str(ReasonForm(prefix="acte"))
