from django.urls import path

from mandats import attestation

# Included by mandats.urls under "attestations/", so the names live in the "mandats" namespace.
urlpatterns = [
    path("<int:pk>/", attestation.attestation, name="attestation"),
    path("<int:pk>.pdf", attestation.attestation_pdf_view, name="attestation-pdf"),
    path(
        "<int:pk>/revocation.pdf",
        attestation.revocation_pdf_view,
        name="attestation-revocation-pdf",
    ),
    path("verifier/<str:content_hash>/", attestation.attestation_verify, name="attestation-verify"),
]
