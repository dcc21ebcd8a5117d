"""Every page of a role is found by following links from its home, as a newcomer would: Chromium
crawls the same-site links (GET only, a bounded number of pages per kind), fails when a page of
the role's menu (from `core.navigation`) or a page it needs (below) is never reached, when a page
answers an error, and when axe-core finds a violation on a page reached."""

from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import Page

from core.models import User
from core.navigation import menu_pages_for
from tests.browser.conftest import assert_accessible, log_in
from tests.browser.test_attestation import enter_totp_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

# The pages each role needs beyond its menu: reached from a page of the menu, not from the header.
BEYOND_THE_MENU = {
    "anonyme": {
        "core:login",
        "core:password-request",
        "conseillers:candidat-register",
        "mandats:usager-login",
        "core:accessibility",
        "core:legal-notice",
        "core:personal-data",
        "core:cookies",
    },
    "anct": {
        "conseillers:candidature-detail",
        "conseillers:envelope-proposal",
        "conseillers:redistribution",
        "conseillers:match-detail",
        "core:structure-detail",
        "core:account",
    },
    "prefecture": {"conseillers:candidature-detail", "core:structure-detail"},
    "gestionnaire": {
        "conseillers:candidature-create",
        "conseillers:candidature-detail",
        "core:structure-detail",
    },
    "conseiller": {"core:account"},
    "aidant": {"mandats:usager-detail", "mandats:attestation"},
    "referent": {"mandats:referent-organisation"},
}
ACCOUNTS = {
    "anct": "anct@demo.inclusion.gouv.fr",
    "prefecture": "prefecture37@demo.inclusion.gouv.fr",
    "gestionnaire": "gestionnaire@demo.inclusion.gouv.fr",
    "conseiller": "conseiller@demo.inclusion.gouv.fr",
    "aidant": "aidant@demo.inclusion.gouv.fr",
    "referent": "referent@demo.inclusion.gouv.fr",
}
# Screenshots at both widths of a few pages the navigation changed.
SHOWN = {"core:home", "conseillers:subsidy-orders", "core:structure-detail", "mandats:usager-list"}
NOT_CRAWLED = ("/admin/", "/api/", "/mock-franceconnect/", "/healthz", "/deconnexion/")
PER_KIND = 1  # pages visited per URL name: one object of each kind, not all of them


def _view_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def _links(page: Page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    found = []
    for href in hrefs:
        url = urldefrag(href).url
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != origin or parts.path.startswith(NOT_CRAWLED):
            continue
        if parts.path.endswith((".csv", ".pdf", ".json")):
            continue
        found.append(url)
    return found


def crawl(page: Page, origin: str, role: str) -> set[str]:
    """Breadth first from the home: the URL names reached. Each kind of page is checked by
    axe-core once, and must not answer an error."""
    queue, seen_urls, per_kind, reached = deque([f"{origin}/"]), set(), {}, set()
    while queue:
        url = queue.popleft()
        name = _view_name(urlsplit(url).path)
        if url in seen_urls or name is None or per_kind.get(name, 0) >= PER_KIND:
            continue
        seen_urls.add(url)
        per_kind[name] = per_kind.get(name, 0) + 1
        response = page.goto(url)
        assert response is not None and response.status < 400, f"{url}: {response}"
        landed = _view_name(urlsplit(page.url).path)
        if landed == "mandats:totp-verify":  # the aidant's second factor, once per session
            enter_totp_code(page)
            landed = _view_name(urlsplit(page.url).path)
        if landed in reached:
            reached.add(name)
            continue
        reached |= {name, landed}  # a link that sends on to another page works too
        assert_accessible(page, f"parcours-{role}-{landed}".replace(":", "-"))
        if landed in SHOWN:
            page.set_viewport_size({"width": 375, "height": 800})
            assert_accessible(page, f"parcours-{role}-{landed}-375".replace(":", "-"))
            page.set_viewport_size({"width": 1280, "height": 900})
        queue.extend(_links(page, origin))
    return reached


@pytest.mark.parametrize("role", ["anonyme", *ACCOUNTS])
def test_each_role_reaches_every_page_of_its_menu_and_job_from_its_home(role, page, demo_server):
    """One test per role, so that the roles are crawled side by side by the test processes."""
    expected = set(BEYOND_THE_MENU[role])
    if role in ACCOUNTS:
        log_in(page, demo_server.url, ACCOUNTS[role])
        expected |= set(menu_pages_for(User.objects.get(email=ACCOUNTS[role])))
    assert sorted(expected - crawl(page, demo_server.url, role)) == []
