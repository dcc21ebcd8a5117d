import datetime
import io

import pytest
from django.utils import timezone

from conseillers.activity import csv_import, selectors
from conseillers.activity.models import Activity

HEADER = (
    "date;type;duree_minutes;themes;autonomie;age_35_60;statut_en_emploi;participants;"
    "age_plus_60;statut_retraite\n"
)


def _file(*lines: str, header: str = HEADER) -> io.BytesIO:
    return io.BytesIO((header + "\n".join(lines) + "\n").encode())


@pytest.fixture
def match(working_match, conseiller):
    return selectors.current_match(conseiller)


def today() -> str:
    return timezone.localdate().strftime("%d/%m/%Y")


def test_a_valid_file_imports_every_row(match, conseiller):
    written = csv_import.activities_import(
        match=match,
        file=_file(
            f"{today()};individuel;45;courriel,securite;autonome;1;1;;;",
            "",
            f"{today()};collectif;120;culture-numerique;;2;2;5;3;3",
        ),
        by=conseiller,
    )
    assert len(written) == 2
    workshop = Activity.objects.get(kind="collectif")
    assert (workshop.participants, workshop.age_over_60, workshop.status_retired) == (5, 3, 3)
    assert Activity.objects.get(kind="individuel").themes.count() == 2


def test_every_error_is_reported_with_its_line_and_column_and_nothing_is_written(match, conseiller):
    future = (timezone.localdate() + datetime.timedelta(days=3)).strftime("%d/%m/%Y")
    with pytest.raises(csv_import.ImportInvalid) as refused:
        csv_import.activities_import(
            match=match,
            file=_file(
                f"{today()};individuel;45;courriel;autonome;1;1;;;",
                "32/13/2026;individuel;quarante;wifi;autonome;1;1;;;",
                f"{future};individuel;45;courriel;;1;1;;;",
                f"{today()};collectif;60;courriel;;1;1;4;;",
            ),
            by=conseiller,
        )
    found = [(e.line, e.column) for e in refused.value.errors]
    assert found == [
        (3, "date"),
        (3, "duree_minutes"),
        (3, "themes"),
        (4, "date"),
        (4, "autonomie"),
        (5, "age_moins_12"),
        (5, "statut_scolarise"),
    ]
    assert str(refused.value.errors[0]).startswith("ligne 3, colonne « date » : « 32/13/2026 »")
    assert not Activity.objects.exists()


def test_a_file_with_a_wrong_header_encoding_or_size_is_refused(match, conseiller, monkeypatch):
    with pytest.raises(csv_import.ImportInvalid) as refused:
        csv_import.activities_import(
            match=match, file=_file("x", header="jour;type\n"), by=conseiller
        )
    assert {(e.line, e.column) for e in refused.value.errors} >= {(1, "date"), (1, "themes")}
    with pytest.raises(csv_import.ImportInvalid) as refused:
        csv_import.activities_import(
            match=match,
            file=_file(f"{today()};individuel;45;courriel;autonome;1;1;;;;x;y"),
            by=conseiller,
        )
    assert [(e.line, e.message) for e in refused.value.errors] == [
        (2, "Plus de cellules que de colonnes dans l'en-tête.")
    ]
    with pytest.raises(csv_import.ImportInvalid) as refused:
        csv_import.activities_import(
            match=match, file=_file("x", header="date,type,themes\n"), by=conseiller
        )
    assert "points-virgules" in refused.value.errors[0].message
    with pytest.raises(csv_import.ImportInvalid, match="1 erreur"):
        csv_import.activities_import(
            match=match, file=io.BytesIO("é".encode("latin-1")), by=conseiller
        )
    monkeypatch.setattr(csv_import, "MAX_BYTES", 10)
    with pytest.raises(csv_import.ImportInvalid) as refused:
        csv_import.activities_import(match=match, file=_file("x"), by=conseiller)
    assert "2 Mo" in refused.value.errors[0].message


def test_the_template_file_is_importable_once_dated_today(match, conseiller):
    template = csv_import.template_csv().replace("02/03/2026", today())
    written = csv_import.activities_import(
        match=match, file=io.BytesIO(template.encode()), by=conseiller
    )
    assert len(written) == 1


def test_the_import_page_lists_errors_and_imports(client, conseiller, working_match):
    client.force_login(conseiller)
    page = client.get("/conseillers/activite/import/")
    assert "Codes des thèmes" in page.content.decode()
    bad = _file(f"{today()};individuel;45;courriel;;1;1;;;")
    bad.name = "cra.csv"
    response = client.post("/conseillers/activite/import/", {"file": bad})
    assert response.status_code == 400
    assert "ligne 2, colonne « autonomie »" in response.content.decode()
    good = _file(f"{today()};individuel;45;courriel;autonome;1;1;;;")
    good.name = "cra.csv"
    response = client.post("/conseillers/activite/import/", {"file": good}, follow=True)
    assert "1 compte rendu importé." in response.content.decode()
    template = client.get("/conseillers/activite/import/modele.csv")
    assert template.content.decode().startswith("date;type;duree_minutes")
