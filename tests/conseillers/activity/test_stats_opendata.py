"""The public open data of the activity: closed months only, every cell under the threshold
published without figures, the same cells in CSV and JSON, the fields those of the schema."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from conseillers.activity.stats.opendata import FIELD_NAMES, SECRET_THRESHOLD, last_closed_month
from conseillers.activity.stats.refresh import figures_rebuild
from tests.conseillers.activity.factories import ActivityFactory
from tests.conseillers.factories import MatchFactory

JSON = reverse("api-conseillers:activite-opendata-json")
CSV = reverse("api-conseillers:activite-opendata-csv")
SCHEMA = reverse("api-conseillers:activite-opendata-schema")


# The last closed month (M), the one before (P), and today's month, still open.
TODAY = timezone.localdate()
M = last_closed_month(TODAY)
P = (M - datetime.timedelta(days=1)).replace(day=1)
M_, P_ = f"{M:%Y-%m}", f"{P:%Y-%m}"


@pytest.fixture
def published(structure, other_structure):
    """Indre-et-Loire: the threshold reached in P, one short in M; Gironde: one record in P;
    one record today, in a month still open."""
    tours = MatchFactory(structure=structure, finalised=True)
    bordeaux = MatchFactory(structure=other_structure, finalised=True)
    for n in range(SECRET_THRESHOLD):
        ActivityFactory(match=tours, date=P + datetime.timedelta(days=n), duration_minutes=30)
    for n in range(SECRET_THRESHOLD - 1):
        ActivityFactory(match=tours, date=M + datetime.timedelta(days=n))
    ActivityFactory(match=bordeaux, date=P + datetime.timedelta(days=3))
    ActivityFactory(match=tours, date=TODAY)
    figures_rebuild(now=timezone.now())


def test_cells_under_the_threshold_are_secret_and_open_months_unpublished(client, published):
    body = client.get(JSON).json()  # anonymous: open data
    cells = {(c["code_departement"], c["mois"]): c for c in body["cellules"]}
    assert {month for _, month in cells} == {P_, M_}  # today's month is not closed
    first = cells[("37", P_)]
    assert first["secret_statistique"] is False
    assert (first["accompagnements"], first["duree_minutes"]) == (SECRET_THRESHOLD, 300)
    for secret in (cells[("37", M_)], cells[("33", P_)], cells[("75", P_)]):
        assert secret["secret_statistique"] is True
        assert all(secret[name] is None for name in FIELD_NAMES[5:])
    # Every département and month is a line: an empty one cannot be told from a secret one.
    assert len(cells) == 2 * len({code for code, _ in cells}) and len(cells) > 200


def test_the_csv_carries_the_same_cells_with_the_schemas_fields(client, published):
    rows = list(csv.reader(io.StringIO(client.get(CSV).content.decode())))
    schema = client.get(SCHEMA).json()
    assert rows[0] == [field["name"] for field in schema["fields"]] == list(FIELD_NAMES)
    line = next(r for r in rows if r[:1] == ["37"] and r[3] == P_)
    assert line[4:6] == ["false", str(SECRET_THRESHOLD)]
    secret = next(r for r in rows if r[:1] == ["37"] and r[3] == M_)
    assert secret[4] == "true" and set(secret[5:]) == {""}
    assert len(rows) - 1 == len(client.get(JSON).json()["cellules"])
    assert schema["primaryKey"] == ["code_departement", "mois"]
    assert schema["resources"][0]["path"].endswith(CSV)


def test_the_open_data_is_documented_in_the_openapi_schema(client):
    schema = client.get(reverse("schema"), HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert "text/csv" in paths[CSV]["get"]["responses"]["200"]["content"]
    assert "secret statistique" in paths[JSON]["get"]["description"]
    assert paths[SCHEMA]["get"]["summary"].startswith("Données ouvertes")
