"""The payment agency's round trip: the orders exported with their reference come back as
payment notices, which record each payment once, at the order's amount, all or nothing, with a
dry run first and a log of every import."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction

from conseillers.subsidy import services as subsidy
from conseillers.subsidy.math import plain_euros
from conseillers.subsidy.models import (
    NoticeImportSource,
    Payment,
    PaymentNoticeImport,
    TrancheState,
)
from core.models import OutboxMessage
from tests.conseillers.subsidy.helpers import Career, months_ago

pytestmark = pytest.mark.django_db

HEADING = "Référence ordre;Référence paiement;Date de paiement;Montant (€);SIRET"


@pytest.fixture
def approved(structure, gestionnaire, anct, today):
    """Three first tranches approved, as the orders export lists them."""
    career = Career(structure=structure, manager=gestionnaire, anct=anct)
    tranches = []
    for _ in range(3):
        tranche = career.tranches(career.recruit(months_ago(2, today)))[0]
        subsidy.tranche_approve(tranche=tranche, comment="", by=anct)
        tranche.refresh_from_db()
        tranches.append(tranche)
    return tranches


def notice(tranche, reference="BDT-2026-001", day="02/03/2026", amount=None, siret=None) -> str:
    amount = plain_euros(tranche.amount_cents) if amount is None else amount
    siret = tranche.subvention.structure.siret if siret is None else siret
    return f"{tranche.order_reference};{reference};{day};{amount};{siret}"


def csv_file(*lines: str) -> bytes:
    return ("\ufeff" + "\r\n".join([HEADING, *lines]) + "\r\n").encode()


def run(content: bytes, anct, *, dry_run=False):
    return subsidy.payment_notices_import(
        content=content,
        file_name="avis.csv",
        dry_run=dry_run,
        source=NoticeImportSource.PAGE,
        by=anct,
    )


def test_the_export_carries_the_reference_the_notices_quote(client, anct, approved):
    client.force_login(anct)
    export = client.get("/conseillers/subventions/ordres/export.csv").content.decode()
    for tranche in approved:
        assert tranche.order_reference in export


def test_a_notice_file_records_each_payment_once_and_is_logged(anct, approved):
    content = csv_file(notice(approved[0]), notice(approved[1], reference="BDT-2026-002"))

    report, log = run(content, anct)

    assert report.applied and report.counts["nouveau"] == 2
    payments = Payment.objects.order_by("tranche_id")
    assert [(p.tranche_id, p.reference) for p in payments] == [
        (approved[0].pk, "BDT-2026-001"),
        (approved[1].pk, "BDT-2026-002"),
    ]
    for tranche, state in zip(approved, ["payee", "payee", "approuvee"], strict=True):
        tranche.refresh_from_db()
        assert tranche.state == state
    assert log.by == anct and log.applied and log.recorded_count == 2
    assert [line["paiement"] for line in log.report] == [p.pk for p in payments]
    # The structure is told of each payment, through the outbox.
    assert OutboxMessage.objects.filter(task_name=subsidy.RECORD_PAYMENT_TASK).count() == 2

    again, second_log = run(content, anct)

    assert again.applied and again.counts["deja_enregistre"] == 2
    assert Payment.objects.count() == 2 and second_log.recorded_count == 0


def test_the_dry_run_shows_what_would_happen_and_writes_nothing(anct, approved):
    report, log = run(csv_file(notice(approved[0])), anct, dry_run=True)

    assert log is None and not report.applied
    assert [(line.status, line.tranche_id) for line in report.lines] == [
        ("nouveau", approved[0].pk)
    ]
    assert not Payment.objects.exists()
    assert not PaymentNoticeImport.objects.exists()
    assert not OutboxMessage.objects.exists()
    approved[0].refresh_from_db()
    assert approved[0].state == TrancheState.APPROVED


@pytest.mark.parametrize(
    ("bad_line", "status", "words"),
    [
        (lambda ts: notice(ts[2], amount="1,00"), "montant_different", "1,00"),
        (lambda ts: "CNFS-T9999999;BDT-9;02/03/2026;10,00;", "ordre_inconnu", "CNFS-T9999999"),
        (lambda ts: notice(ts[2], day="32/13/2026"), "invalide", "Date"),
        (lambda ts: notice(ts[2], siret="21370001800017"), "refuse", "SIRET"),
        (lambda ts: notice(ts[0], reference="BDT-AUTRE"), "refuse", "autre paiement"),
    ],
    ids=["amount", "unknown", "unreadable", "siret", "two-payments"],
)
def test_one_refused_line_refuses_the_whole_file(anct, approved, bad_line, status, words):
    first_line = notice(approved[0])
    content = csv_file(first_line, notice(approved[1], reference="BDT-2"), bad_line(approved))

    report, log = run(content, anct)

    assert not report.applied
    assert [line.status for line in report.lines][:2] == ["nouveau", "nouveau"]
    assert report.lines[2].status == status and words in report.lines[2].message
    assert not Payment.objects.exists()  # never half-imported
    assert log is not None and not log.applied and log.recorded_count == 0
    assert log.report[2]["statut"] == status


def test_a_line_repeated_identically_is_a_duplicate_not_a_second_payment(anct, approved):
    report, _ = run(csv_file(notice(approved[0]), notice(approved[0])), anct)

    assert report.applied
    assert [line.status for line in report.lines] == ["nouveau", "doublon"]
    assert Payment.objects.count() == 1


def test_a_tranche_not_approved_is_refused(anct, approved):
    subsidy.payment_record(
        tranche=approved[0], reference="BDT-0", paid_on=months_ago(0), by=anct
    )  # paid by hand already, with another reference
    report, _ = run(csv_file(notice(approved[0])), anct)
    assert report.lines[0].status == "refuse" and "déjà payée" in report.lines[0].message


def test_a_file_without_the_columns_is_refused_naming_them(anct, approved):
    with pytest.raises(ValidationError) as refused:
        run(b"Ordre;Montant\nCNFS-T0000001;10,00\n", anct)
    assert "Référence paiement" in refused.value.message_dict["fichier"][0]


def test_comma_separated_and_windows_1252_files_are_read(anct, approved):
    tranche = approved[0]
    amount = plain_euros(tranche.amount_cents).replace(",", ".")
    content = (
        "Référence ordre,Référence paiement,Date de paiement,Montant (€)\n"
        f"{tranche.order_reference},BDT-é,2026-03-02,{amount}\n"
    ).encode("cp1252")

    report, _ = run(content, anct)

    assert report.applied
    assert Payment.objects.get().reference == "BDT-é"


@pytest.mark.parametrize("persona", ["gestionnaire", "prefecture_37", "outsider"])
def test_only_anct_imports(request, approved, persona):
    with pytest.raises(PermissionDenied):
        run(csv_file(notice(approved[0])), request.getfixturevalue(persona))


def test_the_import_log_is_append_only(anct, approved):
    _, log = run(csv_file(notice(approved[0])), anct)
    for write in (
        lambda: PaymentNoticeImport.objects.filter(pk=log.pk).update(applied=False),
        lambda: PaymentNoticeImport.objects.filter(pk=log.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            write()


def upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("avis.csv", content, content_type="text/csv")


def test_the_api_previews_then_imports(client, anct, approved):
    client.force_login(anct)
    content = csv_file(notice(approved[0]))
    url = "/api/conseillers/avis-de-paiement/"

    preview = client.post(url, {"fichier": upload(content), "dry_run": "true"})
    assert preview.status_code == 200
    assert preview.json()["lines"][0]["statut"] == "nouveau"
    assert preview.json()["import_id"] is None and not Payment.objects.exists()

    done = client.post(url, {"fichier": upload(content)})
    assert done.status_code == 201 and done.json()["applied"]
    assert done.json()["lines"][0]["paiement"] == Payment.objects.get().pk

    history = client.get(url).json()["results"]
    assert [entry["id"] for entry in history] == [done.json()["import_id"]]


def test_the_api_refuses_a_file_naming_each_refused_line(client, anct, approved):
    client.force_login(anct)
    content = csv_file(notice(approved[0], amount="1,00"))

    response = client.post("/api/conseillers/avis-de-paiement/", {"fichier": upload(content)})

    assert response.status_code == 400
    assert response.json()["details"]["fichier"][0].startswith("Ligne 2 : L'avis porte 1,00")
    assert not Payment.objects.exists()


def test_the_page_previews_then_confirms(client, anct, approved):
    client.force_login(anct)
    url = "/conseillers/subventions/ordres/avis/"
    assert url in client.get("/conseillers/subventions/ordres/").content.decode()

    preview = client.post(url, {"fichier": upload(csv_file(notice(approved[0])))})
    page = preview.content.decode()
    assert preview.status_code == 200 and "Aperçu : rien n'est encore enregistré" in page
    assert "Confirmer : enregistrer 1 paiement" in page
    assert not Payment.objects.exists()

    confirmed = client.post(url, preview.context["confirm"].initial, follow=True)
    assert "Avis importés : 1 paiement enregistré" in confirmed.content.decode()
    assert Payment.objects.get().tranche_id == approved[0].pk
    assert PaymentNoticeImport.objects.get().source == "page"


def test_the_page_shows_refused_lines_and_offers_no_confirmation(client, anct, approved):
    client.force_login(anct)
    content = csv_file(notice(approved[0], amount="1,00"))

    page = client.post("/conseillers/subventions/ordres/avis/", {"fichier": upload(content)})

    text = page.content.decode()
    assert "1 ligne refusée : le fichier ne peut pas être importé" in text
    assert "Confirmer" not in text


@pytest.mark.parametrize("persona", ["gestionnaire", "prefecture_37"])
def test_the_page_is_anct_only(request, client, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/conseillers/subventions/ordres/avis/").status_code == 403


def test_a_field_beyond_the_csv_limit_is_refused_in_french(client, anct, approved):
    client.force_login(anct)
    content = csv_file(notice(approved[0], reference="R" * 200_000))

    response = client.post("/api/conseillers/avis-de-paiement/", {"fichier": upload(content)})

    assert response.status_code == 400
    assert response.json()["details"]["fichier"] == [
        "Le fichier n'est pas un CSV lisible (champ trop long)."
    ]


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("amount", "1e999999", "ontant « 1e999999 » illisible"),
        ("amount", "9" * 40, "illisible (20000,00)"),
        ("amount", "2e4", "ontant « 2e4 » illisible"),
        ("amount", "-20000,00", "illisible"),
        ("amount", "0,00", "illisible"),
        ("amount", "20000,001", "illisible"),
        ("reference", "R" * 101, "plus de 100 caractères"),
        ("day", "31/02/2026", "ate « 31/02/2026 » illisible"),
        ("day", "02/03/2099", "02/03/2099 dans le futur"),
    ],
)
def test_an_unreadable_value_refuses_its_line_not_the_server(
    client, anct, approved, field, value, words
):
    """Each once a 500 (an exponent beyond Decimal's context, a reference longer than the
    column) or a payment recorded on a date that has not come yet."""
    client.force_login(anct)
    content = csv_file(notice(approved[0], **{field: value}))

    response = client.post("/api/conseillers/avis-de-paiement/", {"fichier": upload(content)})

    assert response.status_code == 400
    [message] = response.json()["details"]["fichier"]
    assert message.startswith("Ligne 2 :") and words in message
    assert not Payment.objects.exists()


def test_an_order_number_beyond_a_bigint_is_an_unknown_order(anct, approved):
    report, _ = run(
        csv_file(notice(approved[0]), "CNFS-T" + "9" * 30 + ";BDT-9;02/03/2026;1;"), anct
    )

    assert [line.status for line in report.lines] == ["nouveau", "ordre_inconnu"]
    assert not report.applied


def test_the_orders_export_neutralises_what_a_spreadsheet_would_run(client, anct, approved):
    structure = approved[0].subvention.structure
    structure.name = '=HYPERLINK("http://exemple.invalid";"Payer")'
    structure.save(update_fields=["name"])
    client.force_login(anct)

    export = client.get("/conseillers/subventions/ordres/export.csv").content.decode()

    assert ';"\'=HYPERLINK(""http://exemple.invalid"";""Payer"")";' in export
    assert ";=HYPERLINK" not in export and ';"=HYPERLINK' not in export
