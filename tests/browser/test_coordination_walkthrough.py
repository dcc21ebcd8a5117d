"""The coordination in the browser with the demo accounts: ANCT finds the demo's coordinator and
their group of three conseillers in two structures, detaches one and attaches them again; the
coordinator sees their group and changes nothing. Axe-clean at 1280 and 375 px."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANCT = "anct@demo.inclusion.gouv.fr"
COORDINATOR = "coordinateur@demo.inclusion.gouv.fr"
WIDTHS = [1280, 375]


def log_out(page: Page) -> None:
    page.goto(page.url.split("/conseillers/")[0] + "/")
    page.get_by_role("button", name="Se déconnecter").first.click()
    page.wait_for_load_state()


def check_widths(page: Page, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page, f"{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_anct_manages_a_group_and_the_coordinator_sees_it(page, demo_server):
    url = demo_server.url

    log_in(page, url, ANCT)
    page.goto(f"{url}/conseillers/coordination/")
    expect(page.get_by_role("heading", name="Coordination des conseillers")).to_be_visible()
    check_widths(page, "coordination-liste")
    page.locator("main").get_by_role("link", name="Sacha Coordination").click()
    expect(page.get_by_text("3 conseillers dans 2 structures")).to_be_visible()
    check_widths(page, "coordination-groupe")

    page.get_by_role("button", name="Détacher Julie Fontaine du groupe").click()
    expect(page.get_by_text("Julie Fontaine est détaché(e) du groupe.")).to_be_visible()
    expect(page.get_by_text("2 conseillers dans 1 structure")).to_be_visible()

    page.get_by_label("Conseiller à rattacher").select_option(
        label="Julie Fontaine — Communauté de communes Loches Sud Touraine"
    )
    page.get_by_role("button", name="Rattacher").click()
    expect(page.get_by_text("Julie Fontaine est rattaché(e) au groupe.")).to_be_visible()
    expect(page.get_by_text("3 conseillers dans 2 structures")).to_be_visible()
    check_widths(page, "coordination-rattache")
    log_out(page)

    log_in(page, url, COORDINATOR)
    page.goto(f"{url}/conseillers/coordination/")
    page.locator("main").get_by_role("link", name="Sacha Coordination").click()
    expect(page.get_by_text("3 conseillers dans 2 structures")).to_be_visible()
    expect(page.get_by_role("button", name="Rattacher")).to_have_count(0)
    expect(page.get_by_role("button", name="Détacher Julie Fontaine du groupe")).to_have_count(0)
    check_widths(page, "coordination-coordinateur")
