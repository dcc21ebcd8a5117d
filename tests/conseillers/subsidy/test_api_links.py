"""Links between resources and the filters of every list: an integrator follows a match to its
post, its subsidy and its tranches by URL alone, and a filter it misspells or a value that does
not exist is refused (400) naming what is allowed."""

import pytest

from conseillers.models import Decision
from tests.conseillers.subsidy.helpers import Career, months_ago
from tests.factories import StructureFactory

pytestmark = pytest.mark.django_db

API = "/api/conseillers"


@pytest.fixture
def anct_client(client, anct):
    client.force_login(anct)
    return client


@pytest.fixture
def recruited(career, today):
    return career.recruit(months_ago(2, today))


def test_a_match_leads_to_its_contract_post_subsidy_and_tranches(anct_client, recruited, career):
    match = anct_client.get(f"{API}/mises-en-relation/{recruited.pk}/").json()
    subvention = career.subvention(recruited)

    assert match["contract"]["contract_type"] == "cdi"
    assert match["post"] == subvention.post_id
    post = anct_client.get(match["links"]["poste"]).json()
    assert post["holder"] == recruited.pk
    assert [h["match"] for h in post["holders"]] == [recruited.pk]

    subventions = anct_client.get(match["links"]["subventions"]).json()["results"]
    assert [s["id"] for s in subventions] == [subvention.pk]
    assert post["links"]["subventions"] == match["links"]["subventions"]
    tranches = anct_client.get(subventions[0]["links"]["tranches"]).json()["results"]
    assert [t["rank"] for t in tranches] == [1, 2, 3]
    assert anct_client.get(subventions[0]["links"]["structure"]).json()["id"] == career.structure.pk
    assert anct_client.get(subventions[0]["links"]["titulaire"]).json()["id"] == recruited.pk


def test_a_match_not_yet_recruited_has_no_post(anct_client, career):
    from conseillers.models import MatchState
    from tests.conseillers.factories import MatchFactory

    match = MatchFactory(structure=career.structure, state=MatchState.INTERESTED)
    body = anct_client.get(f"{API}/mises-en-relation/{match.pk}/").json()

    assert body["post"] is None and body["contract"] is None
    assert set(body["links"]) == {"structure"}


def test_the_match_list_reads_links_in_constant_queries(
    anct_client, structure, gestionnaire, anct, today, django_assert_max_num_queries
):
    career = Career(structure=structure, manager=gestionnaire, anct=anct, posts=6)
    for _ in range(3):
        career.recruit(months_ago(2, today))
    with django_assert_max_num_queries(12) as few:
        anct_client.get(f"{API}/mises-en-relation/")
    for _ in range(3):
        career.recruit(months_ago(2, today))
    with django_assert_max_num_queries(len(few.captured_queries)):
        anct_client.get(f"{API}/mises-en-relation/")


def test_subsidies_filter_by_structure_departement_post_and_state(anct_client, recruited, career):
    other = StructureFactory(departement_id="33")
    subvention = career.subvention(recruited)

    def ids(**params):
        response = anct_client.get(f"{API}/subventions/", params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids(structure=career.structure.pk) == [subvention.pk]
    assert ids(structure=other.pk) == []
    assert ids(departement="37") == [subvention.pk]
    assert ids(departement="33") == []
    assert ids(poste=subvention.post_id) == [subvention.pk]
    assert ids(etat="en_cours") == [subvention.pk]
    assert ids(etat="soldee") == []


@pytest.mark.parametrize(
    ("path", "params", "field", "names"),
    [
        ("subventions", {"structur": "1"}, "structur", "departement, etat"),
        ("subventions", {"etat": "payee"}, "etat", "en_cours, suspendue, soldee"),
        ("subventions", {"departement": "99"}, "departement", "/api/departements/"),
        ("subventions", {"structure": "douze"}, "structure", "nombre entier"),
        ("tranches", {"state": "inconnu"}, "state", "prevue"),
        ("tranches", {"poste": "1.5"}, "poste", "nombre entier"),
        ("paiements", {"tranches": "1"}, "tranches", "tranche"),
        ("reversements", {"etat": "x"}, "etat", "États possibles"),
        ("conventions", {"region": "24"}, "region", "departement, page, structure"),
        ("postes", {"vacant": "oui"}, "vacant", "true ou false"),
        ("mises-en-relation", {"poste": "x"}, "poste", "nombre entier"),
        # A % in a value is text, never a format directive (a fuzzer found the 500).
        ("conventions", {"departement": "A%s%"}, "departement", "« A%s% »"),
        ("postes", {"vacant": "50%"}, "vacant", "« 50% »"),
        ("subventions", {"etat": ""}, "etat", "Indiquez une valeur"),
        ("subventions", {"structure": ""}, "structure", "Indiquez une valeur"),
    ],
)
def test_unknown_filters_and_values_are_refused_naming_what_is_allowed(
    anct_client, path, params, field, names
):
    response = anct_client.get(f"{API}/{path}/", params)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert names in body["details"][field][0]


def test_the_core_lists_refuse_unknown_codes(anct_client):
    response = anct_client.get("/api/departements/", {"zone": "lune"})
    assert response.status_code == 400
    assert "metro, drom, com" in response.json()["details"]["zone"][0]
    response = anct_client.get("/api/structures/", {"region": "99"})
    assert "/api/regions/" in response.json()["details"]["region"][0]


def test_posts_are_scoped_like_the_subsidies(client, recruited, career, outsider, prefecture_37):
    post = career.subvention(recruited).post_id
    client.force_login(outsider)
    assert client.get(f"{API}/postes/").json()["results"] == []
    assert client.get(f"{API}/postes/{post}/").status_code == 404
    client.force_login(prefecture_37)
    assert client.get(f"{API}/postes/{post}/").status_code == 200


def test_posts_granted_is_described_as_the_application_quota(anct_client):
    schema = anct_client.get("/api/schema/", {"format": "json"}).json()
    decision = schema["components"]["schemas"]["Decision"]["properties"]["posts_granted"]
    assert "Quota en vigueur de cette candidature" in decision["description"]
    assert Decision._meta.get_field("posts_granted").help_text.startswith(
        "Le quota en vigueur de la candidature"
    )
