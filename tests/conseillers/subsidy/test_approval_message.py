"""The message after approving a tranche points to the payment orders it now appears in."""

import pytest
from django.urls import reverse

from tests.conseillers.subsidy.helpers import months_ago

pytestmark = pytest.mark.django_db


def test_the_approval_message_links_to_the_payment_orders(client, anct, career, today):
    tranche = career.tranches(career.recruit(months_ago(1, today)))[0]
    client.force_login(anct)
    response = client.post(
        reverse("conseillers:subsidy-tranche-action", args=[tranche.pk, "approuver"]),
        {"revue-reason": "Rien à redire."},
        follow=True,
    )
    orders = reverse("conseillers:subsidy-orders")
    link = f'<a href="{orders}">ordres de paiement</a>'
    assert f"La tranche est approuvée : elle figure dans les {link}." in response.content.decode()
