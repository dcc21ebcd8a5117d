"""The API workflow guide: its steps are data (`guide.yaml`), rendered here to Markdown for the
README (its section between two markers, written by `manage.py api_guide`) and to blocks for the
page `/documentation/api/`, and run against a live server by `tests/api/test_guide.py`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

SOURCE = Path(__file__).with_name("guide.yaml")
README = Path(__file__).resolve().parents[2] / "README.md"
# The README's guide section lies between these two lines, which the command keeps.
README_START = (
    "<!-- guide-api : début (généré depuis core/api/guide.yaml : make manage CMD=api_guide) -->"
)
README_END = "<!-- guide-api : fin -->"


def _section_bounds(readme: str) -> tuple[int, int] | None:
    """Where the guide's text starts and ends in the README, between its markers."""
    start, end = readme.find(README_START), readme.find(README_END)
    if start < 0 or end < start:
        return None
    return start + len(README_START), end


def readme_section(readme: str) -> str:
    """The guide as the README holds it (empty when the markers are missing)."""
    bounds = _section_bounds(readme)
    if bounds is None:
        return ""
    return readme[bounds[0] : bounds[1]].strip("\n") + "\n"


def readme_with_section(readme: str, section: str) -> str:
    bounds = _section_bounds(readme)
    if bounds is None:
        raise ValueError(f"README.md n'a pas les repères {README_START!r} et {README_END!r}")
    return f"{readme[: bounds[0]]}\n\n{section.strip()}\n\n{readme[bounds[1] :]}"


TOKEN_HOLDERS = {
    "anct": "jeton_anct",
    "prefecture": "jeton_prefecture",
    "gestionnaire": "jeton_gestionnaire",
}
ROLE_LABELS = {
    "anonyme": "sans jeton",
    "anct": "ANCT",
    "prefecture": "préfecture",
    "gestionnaire": "gestionnaire",
}


@dataclass(frozen=True)
class Step:
    title: str
    role: str = "anonyme"
    method: str = "GET"
    path: str = ""
    body: Any = None
    status: int = 200
    answer: dict = field(default_factory=dict)
    save: dict = field(default_factory=dict)
    outside: str = ""
    run: dict = field(default_factory=dict)

    @property
    def http(self) -> str:
        """The request as a reader types it."""
        lines = [f"{self.method} {self.path}"]
        if self.role in TOKEN_HOLDERS:
            lines.append(f"Authorization: Token {{{TOKEN_HOLDERS[self.role]}}}")
        if self.body is not None:
            lines += ["Content-Type: application/json", "", _json(self.body)]
        return "\n".join(lines)

    @property
    def expected(self) -> str:
        text = f"{self.status}"
        if self.answer:
            text += " " + _json(self.answer)
        if self.save:
            kept = ", ".join(f"{name} ← {path}" for name, path in self.save.items())
            text += f"\n# gardé pour la suite : {kept}"
        return text


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    text: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Guide:
    title: str
    intro: str
    rules: tuple[dict, ...]
    sections: tuple[Section, ...]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@cache
def load() -> Guide:
    data = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    sections = tuple(
        Section(
            id=section["id"],
            title=section["title"],
            text=section.get("text", ""),
            steps=tuple(_step(step) for step in section["steps"]),
        )
        for section in data["sections"]
    )
    return Guide(data["title"], data["intro"], tuple(data["rules"]), sections)


def _step(raw: dict) -> Step:
    known = {"title", "as", "method", "path", "body", "status", "answer", "save", "outside", "run"}
    unknown = set(raw) - known
    if unknown:
        raise ValueError(f"Étape « {raw.get('title')} » : clés inconnues {sorted(unknown)}.")
    values = {key: value for key, value in raw.items() if key != "as"}
    return Step(role=raw.get("as", "anonyme"), **values)


def markdown() -> str:
    """The README section: the same guide, numbered steps with their requests and answers."""
    guide = load()
    out = [f"## {guide.title}", "", guide.intro, ""]
    out += ["Cette section est générée depuis `core/api/guide.yaml` (la page `/documentation/api/`"]
    out[-1] += (
        " aussi) : `make manage CMD=api_guide` la réécrit, un test vérifie qu'elle est à jour."
    )
    out.append("")
    for rule in guide.rules:
        out += [f"**{rule['title']}.** {rule['text']}", ""]
    for section in guide.sections:
        out += [f"### {section.title}", ""]
        if section.text:
            out += [section.text, ""]
        for number, step in enumerate(section.steps, start=1):
            out += _markdown_step(number, step)
    return "\n".join(out).rstrip() + "\n"


def _markdown_step(number: int, step: Step) -> list[str]:
    if step.outside:
        return [f"{number}. {step.title}. {step.outside}", ""]
    return [
        f"{number}. {step.title} ({ROLE_LABELS[step.role]}) :",
        "",
        "   ```http",
        *[f"   {line}".rstrip() for line in step.http.splitlines()],
        "   ```",
        "",
        "   Réponse :",
        "",
        "   ```",
        *[f"   {line}" for line in step.expected.splitlines()],
        "   ```",
        "",
    ]


def inline_code(text: str) -> list[tuple[str, bool]]:
    """`code` spans of a text, for the page: (piece, is_code) pairs the template escapes."""
    pieces = re.split(r"`([^`]*)`", text)
    return [(piece, index % 2 == 1) for index, piece in enumerate(pieces) if piece]
