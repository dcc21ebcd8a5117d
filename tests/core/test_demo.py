import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils.html import escape

from core.demo import ACCOUNTS, DEMO_PASSWORD
from core.models import Role, Structure

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"core", "conseillers", "mandats"}
    }


def test_the_demo_command_runs_twice_without_duplicating_anything(capsys):
    call_command("load_demo")
    first = row_counts()
    call_command("load_demo")
    assert row_counts() == first
    assert first["core.Structure"] >= 4
    assert "demo-inclusion-2026" in capsys.readouterr().out


def test_the_demo_has_structures_in_at_least_three_departements():
    call_command("load_demo")
    assert Structure.objects.values("departement").distinct().count() >= 3


@pytest.mark.parametrize("account", ACCOUNTS, ids=lambda a: a.role)
def test_each_demo_account_logs_in_and_holds_its_role(client, account):
    call_command("load_demo")
    response = client.post("/connexion/", {"username": account.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    home = client.get("/").content.decode()
    assert escape(Role(account.role).label) in home
