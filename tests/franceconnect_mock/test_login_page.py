import re

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_login_page_is_french_and_lists_every_demo_identity_as_a_button(rp):
    page = rp.open_authorize(rp.authorize_params())

    assert page.status_code == 200
    html = page.text
    assert '<html lang="fr"' in html
    assert "FranceConnect" in html and "Simulation" in html
    assert "Aidants Connect (démonstration)" in html
    buttons = re.findall(r'<button[^>]*name="identity"\s+value="([^"]+)"', html)
    assert buttons == ["testfc1", "3_melaine", "sans_nom", "ne_a_l_etranger"]
    assert "Continuer en tant que Stéphane Louis Perceval DUPONT" in html
    assert "Annuler et revenir sur Aidants Connect (démonstration)" in html


def test_the_login_page_form_posts_back_to_the_same_request_with_a_csrf_token(rp):
    params = rp.authorize_params()
    page = rp.open_authorize(params)

    form = re.search(r'<form method="post" action="([^"]+)">', page.text)
    assert form is not None
    assert params["state"] in form.group(1)
    assert 'name="csrfmiddlewaretoken"' in page.text


def test_every_identity_button_is_described_for_assistive_technologies(rp):
    html = rp.open_authorize(rp.authorize_params()).text

    described = re.findall(r'aria-describedby="(identity-\d+)"', html)
    assert len(described) == 4
    for target in described:
        assert f'id="{target}"' in html
    assert '<legend class="fr-fieldset__legend" id="identities-legend">' in html


def test_the_login_page_lets_the_browser_follow_the_redirect_to_the_client(rp):
    page = rp.open_authorize(rp.authorize_params())

    policy = page.headers["Content-Security-Policy"]
    form_action = next(part for part in policy.split(";") if "form-action" in part)
    assert "http://127.0.0.1:8000" in form_action


def test_the_login_page_is_never_cached(rp):
    page = rp.open_authorize(rp.authorize_params())

    assert "no-store" in page.headers["Cache-Control"]
