import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from openpyxl import Workbook

from openimi.directory.importing import ImportFileError, authorities_import
from openimi.directory.models import Authority

HEADER = "official_name;official_language;country;region;city;legal_areas;competences;title_en\n"
GOOD = HEADER + (
    "Mairie de Rouen;fr;FR;FR-76;Rouen;services;building_permits;Rouen city council\n"
    "CMA Normandie;fr;FR;FR-NOR;Caen;services;crafts;Normandy chamber of crafts\n"
)


def run(actor, text: str, apply=False, filename="authorities.csv"):
    return authorities_import(actor=actor, content=text.encode(), filename=filename, apply=apply)


def test_dry_run_reports_and_saves_nothing(fr_coordinator):
    report = run(fr_coordinator, GOOD)
    assert report.ok and report.created == 2 and not report.applied
    assert not Authority.objects.filter(official_name="Mairie de Rouen").exists()


def test_apply_creates_everything(fr_coordinator):
    report = run(fr_coordinator, GOOD, apply=True)
    assert report.applied
    rouen = Authority.objects.get(official_name="Mairie de Rouen")
    assert rouen.region_id == "FR-76"
    assert rouen.texts.get().title == "Rouen city council"
    assert rouen.events.get().action == "imported"


def test_one_bad_line_blocks_the_whole_file_with_line_numbers(fr_coordinator):
    text = (
        GOOD
        + "Mairie de Nulle Part;fr;FR;DE-BE;X;services;architect;\n"
        + "Mairie de Rouen;fr;FR;FR-76;Rouen;services;;\n"
    )
    report = run(fr_coordinator, text, apply=True)
    assert not report.applied
    bad = {row.line: row.errors for row in report.rows if row.errors}
    assert set(bad) == {4, 5}
    assert any(e.startswith("region:") for e in bad[4]) and any(e.startswith("competences:") for e in bad[4])
    assert any("twice" in e for e in bad[5])
    assert not Authority.objects.filter(official_name__startswith="Mairie de R").exists()


def test_update_by_id_changes_only_given_columns(fr_coordinator, fr_authority):
    text = f"id;phone;title_en\n{fr_authority.pk};+33 1 11 11 11 11;Architects' council, Paris region\n"
    report = run(fr_coordinator, text, apply=True)
    assert report.applied and report.updated == 1
    fr_authority.refresh_from_db()
    assert fr_authority.phone == "+33 1 11 11 11 11"
    assert fr_authority.official_name == "Ordre des architectes d'Île-de-France"


def test_update_outside_scope_is_refused(de_coordinator, fr_authority):
    report = run(de_coordinator, f"id;phone\n{fr_authority.pk};1\n", apply=True)
    assert not report.applied and report.rows[0].errors
    fr_authority.refresh_from_db()
    assert fr_authority.phone == ""


def test_rows_outside_scope_are_errors(de_coordinator):
    report = run(de_coordinator, GOOD)
    assert report.error_count == 2


def test_handlers_cannot_import(fr_handler):
    with pytest.raises(PermissionDenied):
        run(fr_handler, GOOD)


def test_xlsx_is_read_like_csv(fr_coordinator):
    workbook = Workbook()
    sheet = workbook.active
    for line in GOOD.strip().split("\n"):
        sheet.append(line.split(";"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = authorities_import(actor=fr_coordinator, content=buffer.getvalue(), filename="a.xlsx", apply=True)
    assert report.applied and report.created == 2


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "empty"),
        (b"\xff\xfe\x00bad", "UTF-8"),
        (b"PK\x03\x04 not really a zip", "XLSX"),
        (b"name;colour\nx;y\n", "Unknown columns"),
        (b"official_name;country\nx;FR\n", "Missing columns"),
        (HEADER.encode(), "no data rows"),
    ],
)
def test_unreadable_files_get_a_clear_message(fr_coordinator, content, message):
    with pytest.raises(ImportFileError, match=message):
        authorities_import(actor=fr_coordinator, content=content, filename="x.csv", apply=False)


def test_import_page_checks_then_applies(client_for, fr_coordinator):
    client = client_for(fr_coordinator)
    response = client.post(reverse("directory:import"), {"file": SimpleUploadedFile("a.csv", GOOD.encode())})
    assert response.status_code == 200 and response.context["report"].ok
    assert not Authority.objects.filter(official_name="Mairie de Rouen").exists()
    response = client.post(reverse("directory:import"), {"confirm": "1", "token": response.context["token"]})
    assert response.status_code == 302
    assert Authority.objects.filter(official_name="Mairie de Rouen").exists()


def test_import_page_shows_line_errors(client_for, fr_coordinator):
    bad = HEADER + "X;fr;FR;ZZ-1;X;services;;\n"
    response = client_for(fr_coordinator).post(
        reverse("directory:import"), {"file": SimpleUploadedFile("a.csv", bad.encode())}
    )
    page = response.content.decode()
    # The field and its error through the catalogue's "Label: text" (French: "region : …").
    with translation.override(fr_coordinator.language):
        region = translation.gettext("%(label)s: %(text)s") % {"label": "region", "text": ""}
    assert response.status_code == 200 and escape(region.strip()) in page and ">2<" in page


def test_a_vanished_checked_file_is_an_error_on_the_file_field(client_for, fr_coordinator):
    response = client_for(fr_coordinator).post(reverse("directory:import"), {"confirm": "1", "token": "forged"})
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page and 'href="#id_file"' in page
    assert "govuk-form-group--error" in page and "<title>Erreur" in page
    assert "govuk-notification-banner" not in page
