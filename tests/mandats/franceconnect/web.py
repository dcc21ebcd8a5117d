"""A person's browser, reduced to what the FranceConnect tests need: real HTTP to the live server,
cookies kept, redirects followed one hop at a time so that each hop can be looked at."""

from __future__ import annotations

import re
from http.cookiejar import Cookie, DefaultCookiePolicy
from urllib.parse import parse_qs, urljoin, urlsplit
from urllib.request import Request

import requests

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TIMEOUT = 10


class LocalhostIsSecure(DefaultCookiePolicy):
    """Browsers treat http://localhost as a secure context and send it the Secure cookies the
    test settings set; requests does not, unless told."""

    def return_ok_secure(self, cookie: Cookie, request: Request) -> bool:
        return True


class BrowserSession(requests.Session):
    """requests copies the cookies into a jar of the default policy for each request: the
    Cookie header is made again from the session's own jar, with its policy."""

    def prepare_request(self, request: requests.Request) -> requests.PreparedRequest:
        prepared = super().prepare_request(request)
        prepared.headers.pop("Cookie", None)
        prepared.prepare_cookies(self.cookies)
        return prepared


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


class Web:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = BrowserSession()
        self.http.cookies.set_policy(LocalhostIsSecure())

    def close(self) -> None:
        # A kept-alive connection would outlive the live server and close in a dead thread.
        self.http.close()

    def url(self, path_or_url: str) -> str:
        return urljoin(self.base_url, path_or_url)

    def get(self, path_or_url: str) -> requests.Response:
        return self.http.get(self.url(path_or_url), allow_redirects=False, timeout=TIMEOUT)

    def follow(self, response: requests.Response) -> requests.Response:
        assert response.status_code in (301, 302, 303), (response.status_code, response.text)
        return self.get(urljoin(response.url, response.headers["Location"]))

    def submit(
        self, path_or_url: str, data: dict[str, str | list[str]] | None = None
    ) -> requests.Response:
        """Opens the page, then posts its form with the page's CSRF token."""
        page = self.get(path_or_url)
        assert page.status_code == 200, (page.status_code, page.text[:500])
        return self.post_form(page, data or {})

    def post_form(
        self,
        page: requests.Response,
        data: dict[str, str | list[str]],
        *,
        action: str = "",
    ) -> requests.Response:
        """Posts a form of `page` (to `action`, else to the page itself) with its CSRF token."""
        csrf = CSRF_INPUT.search(page.text)
        assert csrf is not None, "le formulaire doit porter un jeton CSRF"
        payload = {"csrfmiddlewaretoken": csrf.group(1), **data}
        url = urljoin(page.url, action) if action else page.url
        return self.http.post(url, data=payload, allow_redirects=False, timeout=TIMEOUT)
