"""The mock FranceConnect is another actor, removable: no module of the product imports it. The
settings name it (INSTALLED_APPS, the demo identities) and the URLs mount it by name, as Django
wires any pluggable app, so removing it is removing those names."""

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core import demo as core_demo
from franceconnect_mock.models import ServiceProvider
from mandats import demo as mandats_demo
from mandats.models import Usager

ROOT = Path(__file__).resolve().parents[2]
MOCK = "franceconnect_mock"
NOT_THE_PRODUCT = {MOCK, "tests"}


def modules_under(folder: Path) -> Iterator[Path]:
    yield from (path for path in folder.rglob("*.py") if "migrations" not in path.parts)


def product_modules() -> Iterator[Path]:
    for folder in sorted(ROOT.iterdir()):
        skipped = folder.name.startswith(".") or folder.name in NOT_THE_PRODUCT
        if folder.is_dir() and not folder.is_symlink() and not skipped:
            yield from modules_under(folder)


def imports_the_mock(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        else:
            continue
        if any(name == MOCK or name.startswith(f"{MOCK}.") for name in names):
            return True
    return False


def test_no_module_of_the_product_imports_the_mock_franceconnect():
    importers = [
        str(path.relative_to(ROOT)) for path in product_modules() if imports_the_mock(path)
    ]

    assert importers == []


def test_the_scan_reads_the_product_and_sees_imports_of_the_mock():
    # Without this, an empty scan would pass the test above.
    scanned = {path.relative_to(ROOT).parts[0] for path in product_modules()}
    mock_importers = [path for path in modules_under(ROOT / MOCK) if imports_the_mock(path)]

    assert {"backend", "core", "mandats", "idp", "conseillers"} <= scanned
    assert ROOT / MOCK / "views.py" in mock_importers


def _claims(given_name: str, family_name: str) -> dict[str, Any]:
    return {
        "given_name": given_name,
        "family_name": family_name,
        "birthdate": "1980-01-01",
        "gender": "female",
        "birthplace": "75056",
        "birthcountry": "99100",
        "email": f"{given_name.lower()}@exemple.fr",
    }


def identities_of_another_franceconnect() -> dict[str, tuple[dict[str, Any], str]]:
    return {
        "testfc1": (_claims("Ada", "LOVELACE"), "sub-ada"),
        "3_melaine": (_claims("Grace", "HOPPER"), "sub-grace"),
    }


@pytest.mark.django_db
def test_the_demo_takes_its_usagers_from_the_franceconnect_the_settings_name(settings):
    settings.FRANCECONNECT_DEMO_IDENTITIES = f"{__name__}.identities_of_another_franceconnect"

    mandats_demo.load(core_demo.load())

    family_names = sorted(Usager.objects.values_list("family_name", flat=True))
    assert family_names == ["HOPPER", "LOVELACE"]
    assert not ServiceProvider.objects.exists()  # the mock was not asked
