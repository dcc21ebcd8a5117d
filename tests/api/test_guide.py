"""The API guide runs: every step of `core/api/guide.yaml` is sent, as written, to a live server
holding the demo data, and must answer the status and the excerpt the guide shows. The README
section and the page are the current renderings of that same file."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
import requests
from django.core import mail
from django.utils import timezone

from core.api import guide
from tests.demo_snapshot import load_demo

pytestmark = pytest.mark.django_db(transaction=True)

PLACEHOLDER = re.compile(r"\{([a-z_]+|today|today-30)\}")


def fill(value: Any, saved: dict[str, Any]) -> Any:
    """{name} replaced by what an earlier step saved; a whole-string placeholder keeps its type
    (an id stays an integer)."""
    if isinstance(value, dict):
        return {key: fill(item, saved) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, saved) for item in value]
    if not isinstance(value, str):
        return value
    whole = PLACEHOLDER.fullmatch(value)
    if whole:
        return saved[whole.group(1)]
    return PLACEHOLDER.sub(lambda found: str(saved[found.group(1)]), value)


def dig(body: Any, path: str) -> Any:
    for part in path.split("."):
        body = body[int(part)] if isinstance(body, list) else body[part]
    return body


def contains(body: Any, excerpt: Any) -> bool:
    if excerpt == {}:
        return True
    if isinstance(excerpt, dict):
        return isinstance(body, dict) and all(
            key in body and contains(body[key], value) for key, value in excerpt.items()
        )
    return body == excerpt


def choose_password(base_url: str, email: str, password: str) -> None:
    """What the person does with the welcome email: opens the single-use link and chooses."""
    message = next(m for m in reversed(mail.outbox) if email in m.to)
    link = re.search(r"https?://[^/\s]+(/mot-de-passe/nouveau/\S+/)", message.body)
    assert link, message.body
    session = requests.Session()
    form = session.get(base_url + link.group(1), timeout=30)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert form.status_code == 200 and csrf, re.findall(r"<h1>.*?</h1>|csrf[^>]*>", form.text)
    done = session.post(
        form.url,
        {
            "csrfmiddlewaretoken": csrf.group(1),
            "new_password1": password,
            "new_password2": password,
        },
        headers={"Referer": form.url},
        timeout=30,
    )
    assert "<h1>Mot de passe enregistré</h1>" in done.text, re.findall(
        r"<h1>.*?</h1>|fr-(?:error|message)[^>]*>[^<]*", done.text
    )


def test_every_step_of_the_guide_answers_as_written(live_server, settings):
    settings.SITE_URL = live_server.url
    # The live server speaks plain HTTP: the session of the password form must travel over it.
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    load_demo()
    today = timezone.localdate()
    saved: dict[str, Any] = {
        "today": today.isoformat(),
        "today-30": (today - datetime.timedelta(days=30)).isoformat(),
    }
    ran = 0
    for section in guide.load().sections:
        for step in section.steps:
            where = f"{section.title} / {step.title}"
            if step.outside:
                choose_password(live_server.url, step.run["choose_password"], step.run["password"])
                continue
            headers = {"Accept": "application/json; version=1"}
            if step.role in guide.TOKEN_HOLDERS:
                headers["Authorization"] = f"Token {saved[guide.TOKEN_HOLDERS[step.role]]}"
            response = requests.request(
                step.method,
                live_server.url + fill(step.path, saved),
                json=fill(step.body, saved) if step.body is not None else None,
                headers=headers,
                timeout=30,
            )
            body = response.json()
            assert response.status_code == step.status, (where, body)
            assert contains(body, fill(step.answer, saved)), (where, step.answer, body)
            for name, path in step.save.items():
                saved[name] = dig(body, path)
            ran += 1
    assert ran >= 25


def test_the_readme_section_is_the_current_rendering_of_the_guide():
    assert guide.readme_section(guide.README.read_text(encoding="utf-8")) == guide.markdown()


def test_the_guide_page_shows_every_step_and_is_linked(client):
    page = client.get("/documentation/api/")
    text = page.content.decode()
    assert page.status_code == 200
    for section in guide.load().sections:
        assert section.title.replace("'", "&#x27;") in text
    assert "POST /api/conseillers/tranches/{tranche}/pay/" in text
    assert 'href="/documentation/api/"' in client.get("/").content.decode()  # the footer
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert "/documentation/api/" in schema["info"]["description"]
