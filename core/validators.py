"""Shared validators: identifiers of structures (SIRET everywhere, RIDET in New Caledonia) and
uploaded PDF files."""

import io
import re
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret

NEW_CALEDONIA = "988"
# The RIDET is the RID (6 or 7 digits) followed by the 3-digit establishment number; it has no
# public check digit, so only its shape can be checked.
_RIDET = re.compile(r"^\d{9,10}$")


def compact_identifier(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "")


def validate_structure_identifier(value: str, departement_code: str) -> None:
    number = compact_identifier(value)
    if departement_code == NEW_CALEDONIA and _RIDET.match(number):
        return
    try:
        siret.validate(number)
    except StdnumError as exc:
        if departement_code == NEW_CALEDONIA:
            message = "Saisissez un SIRET de 14 chiffres ou un RIDET de 9 ou 10 chiffres."
        else:
            message = (
                "Ce SIRET n'est pas valide : il compte 14 chiffres et sa clé de contrôle "
                "doit être juste. Vérifiez-le sur l'avis de situation INSEE."
            )
        raise ValidationError(message, code="invalid_siret") from exc


# --- Uploaded PDF files -------------------------------------------------------------------------

PDF_MAGIC = b"%PDF-"
# A browser that sniffs a file looks for these: a PDF whose bytes also read as a web page (a
# polyglot) would run its script on our origin if ever served inline. PDF syntax never writes
# them (hex strings hold hex digits only, dictionaries open with "<<").
_HTML = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|svg|object|embed|meta|img)[\s>/]",
    re.IGNORECASE,
)
# What a PDF reader may run or open without the person asking: scripts, automatic actions,
# XFA forms (scripted), attached files. The keys are dictionary keys, the values /S or /Type names.
_ACTIVE_KEYS = {"/JS", "/JavaScript", "/AA", "/XFA", "/EmbeddedFiles", "/EF"}
_ACTIVE_NAMES = {"/JavaScript", "/Launch", "/EmbeddedFile"}
# Bounds the walk of a hostile file built to be slow to read (ten megabytes of tiny objects).
_MAX_OBJECTS = 200_000


def max_upload_bytes() -> int:
    return settings.MAX_UPLOAD_MB * 1024 * 1024


def validate_pdf(upload: File, label: str) -> None:
    """Refuses, in French, any upload that is not a plain PDF document of the allowed size.

    `label` names the file at the head of each message: "Le CV", "« Rapport d'activité »".

    The one check of every uploaded file (CV, justification documents), in pages and API alike:
    the size, then the bytes (a PDF from its first byte, no HTML anywhere), then the document as
    pypdf parses it (readable, at least one page, no script, automatic action or attached file).
    """
    if (upload.size or 0) > max_upload_bytes():
        raise ValidationError(
            f"{label} dépasse {settings.MAX_UPLOAD_MB} Mo : réduisez le fichier ou "
            "scannez-le en niveaux de gris.",
            code="file_too_large",
        )
    content = _read_all(upload)
    if not content.startswith(PDF_MAGIC) or not (upload.name or "").lower().endswith(".pdf"):
        raise ValidationError(f"{label} doit être un fichier PDF.", code="not_pdf")
    if _HTML.search(content):
        raise ValidationError(
            f"{label} contient une page web en plus du PDF : enregistrez le document à "
            "nouveau au format PDF (« Imprimer » puis « Enregistrer au format PDF »).",
            code="pdf_polyglot",
        )
    # pypdf warns (PdfReadWarning) about the flaws it repairs: a repaired file is still read the
    # same way in production and in the tests, where warnings are errors.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        problem = _active_content(_parse_pdf(content, label))
    if problem:
        raise ValidationError(
            f"{label} contient {problem}, refusé pour la sécurité des personnes qui "
            "l'ouvriront : enregistrez le document à nouveau au format PDF sans ce contenu "
            "(« Imprimer » puis « Enregistrer au format PDF »).",
            code="pdf_active_content",
        )


def _read_all(upload: File) -> bytes:
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    return content


def _parse_pdf(content: bytes, label: str) -> PdfReader:
    invalid = ValidationError(
        f"{label} n'est pas un PDF lisible (fichier abîmé ou incomplet) : enregistrez-le à "
        "nouveau au format PDF.",
        code="pdf_invalid",
    )
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted or len(reader.pages) == 0:
            raise invalid
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        # pypdf reports a broken file by many exception types, not only its own.
        raise invalid from exc
    return reader


def _active_content(reader: PdfReader) -> str | None:
    """What the document carries that a reader could run or open by itself, in French."""
    seen: set[tuple[int, int]] = set()
    pending: list[PdfObject] = [reader.trailer]
    while pending:
        if len(seen) > _MAX_OBJECTS:
            return "trop d'objets"
        node: PdfObject | None = pending.pop()
        if isinstance(node, IndirectObject):
            if (node.idnum, node.generation) in seen:
                continue
            seen.add((node.idnum, node.generation))
            try:
                node = node.get_object()
            except (PyPdfError, ValueError, KeyError, TypeError, RecursionError):
                continue
        if isinstance(node, DictionaryObject):
            found = _active_in_dictionary(node)
            if found:
                return found
            pending.extend(node.values())
        elif isinstance(node, ArrayObject):
            pending.extend(node)
    return None


def _active_in_dictionary(node: DictionaryObject) -> str | None:
    keys = _ACTIVE_KEYS.intersection(node.keys())
    names = {str(node.get(key)) for key in ("/S", "/Type", "/Subtype")} & _ACTIVE_NAMES
    found = keys | names
    if not found:
        return None
    if found & {"/EmbeddedFiles", "/EF", "/EmbeddedFile"}:
        return "un fichier joint"
    return "du JavaScript ou une action automatique"
