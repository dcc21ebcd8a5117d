"""The attestations as PDF files: tagged PDF/UA (a screen reader follows their structure), French,
titled, their text selectable, the QR code's target written out; the revocation attestation only
for the usager and the organisation concerned, once something is revoked."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from mandats import services
from mandats.models import MandatDuration
from tests.mandats.factories import UsagerFactory
from tests.mandats.test_usager_space import usager_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(organisation, usager, aidant):
    return services.mandat_create(
        organisation=organisation.structure,
        usager=usager,
        demarches=["social", "logement"],
        duration=MandatDuration.TWELVE_MONTHS,
        by=aidant,
    )


def read(response) -> PdfReader:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def text_of(reader: PdfReader) -> str:
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def without_spaces(text: str) -> str:
    # A long URL wraps at the end of a line: the extracted text has a space there.
    return text.replace(" ", "")


def assert_tagged_pdf_ua(reader: PdfReader, title: str) -> None:
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "fr"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title == title
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()


def verify_link(mandat) -> str:
    return "http://testserver" + reverse("mandats:attestation-verify", args=[mandat.content_hash])


def test_the_mandate_attestation_is_a_tagged_french_pdf_with_selectable_text(
    verified_client, aidant, signed
):
    response = verified_client(aidant).get(reverse("mandats:attestation-pdf", args=[signed.pk]))

    reader = read(response)
    assert_tagged_pdf_ua(reader, f"Attestation du mandat n° {signed.pk}")
    text = text_of(reader)
    assert "Stéphane Louis Perceval" in text and "DUPONT" in text
    assert "Social - Santé" in text and "Logement" in text
    assert verify_link(signed) in without_spaces(text)
    assert "Signature de l'usager" in text and "Droits de l'usager" in text


def test_the_qr_code_image_carries_its_target_as_alternative_text(verified_client, aidant, signed):
    response = verified_client(aidant).get(reverse("mandats:attestation-pdf", args=[signed.pk]))

    # The tag tree's figure has an /Alt naming the verification page.
    assert verify_link(signed).encode() in _uncompressed_struct_alts(read(response))


def _uncompressed_struct_alts(reader: PdfReader) -> bytes:
    alts = []
    stack = [reader.trailer["/Root"]["/StructTreeRoot"]]
    while stack:
        node = stack.pop().get_object()
        if isinstance(node, dict):
            if "/Alt" in node:
                alts.append(str(node["/Alt"]).encode())
            kids = node.get("/K")
            if kids is not None:
                stack.extend(kids if isinstance(kids, list) else [kids])
        elif isinstance(node, list):
            stack.extend(node)
    return b"\n".join(alts)


# --- The revocation attestation -----------------------------------------------------------------


def revocation_url(mandat) -> str:
    return reverse("mandats:usager-revocation-pdf", args=[mandat.pk])


def test_after_revoking_the_usager_downloads_the_revocation_attestation(usager, signed):
    client = usager_client(usager)
    client.post(reverse("mandats:usager-mandat-revoke", args=[signed.pk]))

    space = client.get(reverse("mandats:usager-space")).content.decode()
    assert f'href="{revocation_url(signed)}"' in space
    reader = read(client.get(revocation_url(signed)))

    assert_tagged_pdf_ua(reader, f"Attestation de révocation du mandat n° {signed.pk}")
    text = text_of(reader)
    assert "Stéphane Louis Perceval DUPONT" in text
    assert signed.organisation.name in text
    assert "Social - Santé" in text and "Logement" in text
    assert text.count("L'usager") == 2  # who revoked, one row per démarche
    assert "entièrement révoqué" in text
    assert verify_link(signed) in without_spaces(text)


def test_a_revocation_by_an_aidant_names_the_aidant_and_lists_what_remains(
    verified_client, aidant, signed
):
    services.autorisation_revoke(
        autorisation=signed.autorisations.get(demarche="social"), by=aidant
    )

    response = verified_client(aidant).get(
        reverse("mandats:attestation-revocation-pdf", args=[signed.pk])
    )

    text = text_of(read(response))
    assert f"{aidant.get_full_name()}, pour {signed.organisation.name}" in text
    assert "Restent confiées à l'organisation" in text and "Logement" in text


def test_the_aidant_page_of_the_usager_links_to_the_revocation_attestation(
    verified_client, aidant, signed
):
    url = reverse("mandats:attestation-revocation-pdf", args=[signed.pk])
    detail = reverse("mandats:usager-detail", args=[signed.usager_id])
    assert url not in verified_client(aidant).get(detail).content.decode()

    services.mandat_revoke(mandat=signed, by=aidant)

    assert url in verified_client(aidant).get(detail).content.decode()


def test_nothing_revoked_means_no_revocation_attestation(verified_client, aidant, usager, signed):
    assert usager_client(usager).get(revocation_url(signed)).status_code == 404
    url = reverse("mandats:attestation-revocation-pdf", args=[signed.pk])
    assert verified_client(aidant).get(url).status_code == 404


def test_only_the_usager_and_the_organisation_concerned_get_the_revocation_attestation(
    verified_client, aidant, outsider_aidant, signed
):
    services.mandat_revoke(mandat=signed, by=aidant)
    url = reverse("mandats:attestation-revocation-pdf", args=[signed.pk])

    assert usager_client(UsagerFactory()).get(revocation_url(signed)).status_code == 404
    assert verified_client(outsider_aidant).get(url).status_code == 404
    assert verified_client(aidant).get(url).status_code == 200
