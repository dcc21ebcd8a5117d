"""The attestation of a mandate (page and PDF) and the public page its QR code leads to."""

import datetime
import re

import pytest
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from mandats import seal, services
from mandats.attestation import qr_code_svg
from mandats.models import Demarche, MandatDuration
from tests.mandats.factories import MandatFactory, UsagerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(organisation, usager, aidant):
    """A mandate signed through the service, so its hash is the real one."""
    return services.mandat_create(
        organisation=organisation.structure,
        usager=usager,
        demarches=["social", "argent", "logement"],
        duration=MandatDuration.TWELVE_MONTHS,
        by=aidant,
    )


def attestation_url(mandat) -> str:
    return reverse("mandats:attestation", args=[mandat.pk])


def verify_url(content_hash: str) -> str:
    return reverse("mandats:attestation-verify", args=[content_hash])


# --- Who sees the attestation -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("aidant", 200), ("referent", 200), ("outsider_aidant", 404), ("gestionnaire", 404)],
)
@pytest.mark.parametrize("route", ["mandats:attestation", "mandats:attestation-pdf"])
def test_only_the_organisations_aidants_and_referents_see_the_attestation(
    request, verified_client, signed, persona, status, route
):
    user = request.getfixturevalue(persona)

    response = verified_client(user).get(reverse(route, args=[signed.pk]))

    assert response.status_code == status


def test_the_anct_does_not_see_an_organisations_attestation(client, anct, signed):
    client.force_login(anct)

    assert client.get(attestation_url(signed)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, signed):
    response = client.get(attestation_url(signed))

    assert response.status_code == 302
    assert response.url.startswith(reverse("core:login"))


def test_an_aidant_must_have_entered_a_totp_code_to_see_it(client, aidant, signed):
    client.force_login(aidant)

    response = client.get(attestation_url(signed))

    assert response.status_code == 302
    assert response.url.startswith(reverse("mandats:totp-setup"))


# --- What the attestation says ----------------------------------------------------------------


def test_the_page_shows_the_organisation_usager_scope_dates_and_legal_text(
    verified_client, aidant, signed
):
    response = verified_client(aidant).get(attestation_url(signed))

    html = response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")
    assert "no-store" in response["Cache-Control"]
    assert escape(signed.organisation.name) in html
    assert signed.organisation.siret in html
    assert "Stéphane Louis Perceval" in html and "DUPONT" in html
    assert "24 août 1962" in html
    for code in ["social", "argent", "logement"]:
        assert escape(Demarche(code).label) in html
    assert "12 mois" in html
    assert timezone.localtime(signed.created_at).strftime("%d/%m/%Y à %H:%M") in html
    assert timezone.localtime(signed.expires_at).strftime("%d/%m/%Y à %H:%M") in html
    assert f"Texte du mandat (version {signed.legal_text_version})" in html
    assert "Droits de l&#x27;usager" in html or "Droits de l'usager" in html
    assert "Signature de l&#x27;usager" in html or "Signature de l'usager" in html
    assert "Signature de l&#x27;aidant" in html or "Signature de l'aidant" in html
    assert 'href="/static/mandats/attestation.css"' in html


def test_the_page_shows_the_content_hash(verified_client, aidant, signed):
    html = verified_client(aidant).get(attestation_url(signed)).content.decode()

    grouped = " ".join(signed.content_hash[i : i + 8] for i in range(0, 64, 8))
    assert grouped in html
    assert signed.content_hash == seal.attestation_hash(signed, ["argent", "logement", "social"])


def test_the_qr_code_leads_to_the_public_verification_page(verified_client, aidant, signed):
    html = verified_client(aidant).get(attestation_url(signed)).content.decode()

    url = f"http://testserver{verify_url(signed.content_hash)}"
    assert qr_code_svg(url) in html
    assert f'href="{url}"' in html
    assert "<?xml" not in html


def test_the_legal_text_exists_for_the_version_mandates_are_signed_with():
    template = get_template(f"mandats/attestation/legal_text/{seal.legal_text_version()}.html")
    context = {
        "usager": UsagerFactory.build(given_names="Mélaine", family_name="TROIS"),
        "organisation": {"name": "Association Exemple"},
        "duration": "6 mois",
        "demarches": ["Logement"],
        "mandat": {"created_at": timezone.now(), "expires_at": timezone.now()},
    }

    html = template.render(context)

    headings = re.findall(r"<h3[^>]*>(.*?)</h3>", html)
    assert headings == [
        "Objet du mandat",
        "Engagements de l'aidant et de l'organisation",
        "Droits de l'usager",
        "Durée et données personnelles",
    ]
    text = " ".join(html.split())
    assert "Mélaine TROIS (« l'usager ») autorise" in text
    assert "l'organisation Association Exemple" in text
    assert "service Inclusion numérique" in text


def test_the_pdf_is_a_pdf_named_after_the_mandate(verified_client, aidant, signed):
    response = verified_client(aidant).get(reverse("mandats:attestation-pdf", args=[signed.pk]))

    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response.content.rstrip().endswith(b"%%EOF")
    assert f'filename="attestation-mandat-{signed.pk}.pdf"' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]


# --- The public verification page -------------------------------------------------------------


PERSONAL_DATA = ["Stéphane", "DUPONT", "24/08/1962", "24 août 1962", "1962", "75112"]


def assert_no_personal_data(html: str) -> None:
    for value in PERSONAL_DATA:
        assert value not in html


def test_an_active_mandate_is_reported_in_force_without_personal_data(client, signed):
    response = client.get(verify_url(signed.content_hash))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Mandat en vigueur" in html
    assert escape(signed.organisation.name) in html
    assert escape(Demarche.LOGEMENT.label) in html
    assert timezone.localtime(signed.expires_at).strftime("%d/%m/%Y") in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]
    assert_no_personal_data(html)


def test_a_revoked_mandate_is_reported_revoked(client, signed, referent):
    services.mandat_revoke(mandat=signed, by=referent)

    html = client.get(verify_url(signed.content_hash)).content.decode()

    assert "Mandat révoqué" in html
    assert "Mandat en vigueur" not in html
    assert "Révoquée le" in html
    assert_no_personal_data(html)


def test_a_partly_revoked_mandate_stays_in_force_and_shows_each_demarche(client, signed, referent):
    social = signed.autorisations.get(demarche="social")
    services.autorisation_revoke(autorisation=social, by=referent)

    html = client.get(verify_url(signed.content_hash)).content.decode()

    assert "Mandat en vigueur" in html
    assert html.count("Révoquée le") == 1
    assert html.count("En vigueur</td>") == 2


def test_an_expired_mandate_is_reported_expired(client, organisation, usager):
    mandat = MandatFactory(
        organisation=organisation.structure, usager=usager, expired=True, content_hash="e" * 64
    )

    html = client.get(verify_url(mandat.content_hash)).content.decode()

    assert "Mandat expiré" in html
    assert "Expirée" in html
    assert_no_personal_data(html)


def test_a_mandate_revoked_then_expired_stays_reported_revoked(client, organisation, usager):
    mandat = MandatFactory(
        organisation=organisation.structure, usager=usager, expired=True, content_hash="f" * 64
    )
    mandat.autorisations.update(revoked_at=mandat.created_at + datetime.timedelta(days=3))

    html = client.get(verify_url(mandat.content_hash)).content.decode()

    assert "Mandat révoqué" in html


@pytest.mark.parametrize("content_hash", ["a" * 64, "pas-une-empreinte", "A" * 63])
def test_an_unknown_hash_is_reported_unknown(client, signed, content_hash):
    response = client.get(verify_url(content_hash))

    assert response.status_code == 404
    html = response.content.decode()
    assert "Attestation inconnue" in html
    assert escape(signed.organisation.name) not in html


def test_a_hash_typed_with_capitals_and_spaces_is_found(client, signed):
    typed = " ".join(signed.content_hash[i : i + 8] for i in range(0, 64, 8)).upper()

    response = client.get(verify_url(typed))

    assert response.status_code == 200
    assert "Mandat en vigueur" in response.content.decode()


def test_an_aidant_between_password_and_totp_code_may_open_the_public_page(client, aidant, signed):
    client.force_login(aidant)  # the TOTP middleware would redirect any other mandats page

    response = client.get(verify_url(signed.content_hash))

    assert response.status_code == 200
    assert "Mandat en vigueur" in response.content.decode()


def test_the_verification_page_reads_in_constant_queries(
    client, django_assert_num_queries, organisation
):
    mandat = MandatFactory(
        organisation=organisation.structure,
        demarches=list(Demarche.values),
        content_hash="c" * 64,
    )

    # The mandate with its organisation, and its autorisations: the same for one démarche or ten.
    with django_assert_num_queries(2):
        client.get(verify_url(mandat.content_hash))
