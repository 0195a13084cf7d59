"""Bulk import and update of authorities from CSV or XLSX: a dry run that reports every
problem with its line number, then an all-or-nothing apply."""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import load_workbook

from openimi.directory import services
from openimi.directory.models import Authority, AuthorityEvent
from openimi.directory.permissions import Perm, has_perm, require, scopes_covering
from openimi.directory.services import AuthorityData
from openimi.lib.text import labelled

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
LIST_COLUMNS = {"legal_areas", "competences"}
TEXT_COLUMNS = (
    "official_name",
    "official_language",
    "kind",
    "country",
    "region",
    "street_address",
    "postcode",
    "city",
    "website",
    "email",
    "phone",
)
KNOWN_COLUMNS = {"id", *TEXT_COLUMNS, *LIST_COLUMNS}
REQUIRED_COLUMNS = {"official_name", "official_language", "country"}


class ImportFileError(ValueError):
    """The file as a whole cannot be read."""


@dataclass
class RowResult:
    line: int
    action: str  # "create" | "update"
    name: str
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[RowResult]
    applied: bool = False

    @property
    def error_count(self) -> int:
        return sum(1 for r in self.rows if r.errors)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and self.error_count == 0

    @property
    def created(self) -> int:
        return sum(1 for r in self.rows if r.action == "create")

    @property
    def updated(self) -> int:
        return sum(1 for r in self.rows if r.action == "update")


def read_table(content: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """Rows as ``(line number, {column: text})``; line numbers as a spreadsheet shows them."""
    if len(content) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 10 MB."))
    if filename.lower().endswith(".xlsx") or content[:4] == b"PK\x03\x04":
        table = _read_xlsx(content)
    else:
        table = _read_csv(content)
    if not table:
        raise ImportFileError(_("The file is empty."))
    header = [str(h or "").strip().lower() for h in table[0]]
    unknown = [h for h in header if h and h not in KNOWN_COLUMNS and not h.startswith(("title_", "description_"))]
    if unknown:
        raise ImportFileError(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
    missing = REQUIRED_COLUMNS - set(header)
    if missing and "id" not in header:
        raise ImportFileError(_("Missing columns: %(columns)s.") % {"columns": ", ".join(sorted(missing))})
    if len(table) - 1 > MAX_ROWS:
        raise ImportFileError(
            ngettext(
                "The file has more than %(max)d row; split it.",
                "The file has more than %(max)d rows; split it.",
                MAX_ROWS,
            )
            % {"max": MAX_ROWS}
        )
    rows = []
    for number, values in enumerate(table[1:], start=2):
        cells = ["" if v is None else str(v).strip() for v in values]
        if not any(cells):
            continue
        rows.append((number, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h}))
    if not rows:
        raise ImportFileError(_("The file has no data rows."))
    return rows


def _read_csv(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(_("The CSV file is not UTF-8 text.")) from None
    if "\x00" in text:
        raise ImportFileError(_("The CSV file is not UTF-8 text."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from None


def _read_xlsx(content: bytes) -> list[list]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a broken archive
        raise ImportFileError(_("The XLSX file cannot be read.")) from None
    sheet = workbook.worksheets[0]
    rows = []
    for row in sheet.iter_rows(values_only=True):
        rows.append(list(row))
        if len(rows) > MAX_ROWS + 1:
            break
    workbook.close()
    return rows


def _row_to_data(values: dict[str, str], existing: Authority | None) -> AuthorityData:
    data = AuthorityData.from_authority(existing) if existing else AuthorityData("", "", "")
    for name in TEXT_COLUMNS:
        if name in values and (values[name] or existing is None):
            setattr(data, name, values[name])
    data.country = data.country.upper()
    data.region = data.region or None
    for name in LIST_COLUMNS:
        if name in values and (values[name] or existing is None):
            setattr(data, name, [v.strip() for v in values[name].replace(",", ";").split(";") if v.strip()])
    for key, value in values.items():
        if key.startswith("title_") and value:
            language = key.removeprefix("title_")
            data.texts[language] = (value, values.get(f"description_{language}", ""))
    return data


def _check_row(
    actor, number: int, values: dict[str, str], seen: set
) -> tuple[RowResult, Authority | None, AuthorityData | None]:
    existing = None
    raw_id = values.get("id", "")
    result = RowResult(line=number, action="update" if raw_id else "create", name=values.get("official_name", ""))
    if raw_id:
        # isdecimal, not isdigit: int() refuses "²"; and no more digits than a primary key has.
        is_number = raw_id.isdecimal() and len(raw_id) <= 18
        existing = Authority.objects.filter(pk=int(raw_id)).first() if is_number else None
        if existing is None or not has_perm(actor, Perm.AUTHORITY_EDIT, existing):
            result.errors.append(_("id: no authority with this number in your scope."))
            return result, None, None
        result.name = result.name or existing.official_name
    data = _row_to_data(values, existing)
    if existing is not None and data.country != existing.country_id:
        result.errors.append(_("country: the country of a registered authority cannot be changed."))
    if existing is not None:
        changed = set(data.legal_areas) ^ {g.legal_area_id for g in existing.area_grants.all()}
        scopes = scopes_covering(actor, existing)
        for code in sorted(changed):
            if not any(s.allows_area(code) for s in scopes):
                result.errors.append(_("legal_areas: %(code)s is outside the scope you coordinate.") % {"code": code})
    key = (data.country, data.official_name.strip().lower(), data.city.strip().lower())
    if key in seen:
        result.errors.append(_("official_name: the same authority appears twice in the file."))
    seen.add(key)
    try:
        services.validate_authority_data(data, instance=existing)
        if existing is None:
            services._scope_for_target(actor, country=data.country, region=data.region, areas=data.legal_areas)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            result.errors.extend(labelled(name, m) for m in messages)
    except PermissionDenied as exc:
        result.errors.append(str(exc))
    return result, existing, data


def authorities_import(*, actor, content: bytes, filename: str, apply: bool) -> ImportReport:
    """Check every row; with ``apply`` and no error anywhere, save all rows in one transaction."""
    require(actor, Perm.AUTHORITY_IMPORT)
    rows = read_table(content, filename)
    seen: set = set()
    checked = [_check_row(actor, number, values, seen) for number, values in rows]
    report = ImportReport(rows=[r for r, _e, _d in checked])
    if not apply or not report.ok:
        return report
    with transaction.atomic():
        for result, existing, data in checked:
            if data is None:  # only rows with errors have no data, and then the report is not ok
                continue
            if existing is None:
                scope = services._scope_for_target(
                    actor, country=data.country, region=data.region, areas=data.legal_areas
                )
                authority = Authority(
                    status="active", parent_coordinator_id=scope.authority_id, validated_at=timezone.now()
                )
                services._save_content(authority, data, actor=actor, areas=True)
            else:
                authority = Authority.objects.select_for_update().get(pk=existing.pk)
                services._save_content(authority, data, actor=actor, areas=True)
            services.record(authority, actor, AuthorityEvent.Action.IMPORTED, line=result.line, change=result.action)
    report.applied = True
    return report
