"""What each kind of alert is about and which fields it requires before it can be broadcast
(the completeness check), in one place that the services, pages and API read."""

from openimi.alerts.models import Alert, AlertKind

# The legal area an alert of each kind belongs to (None: the sender chooses, for a notice).
LEGAL_AREA: dict[str, str | None] = {
    AlertKind.SERVICES: "services",
    AlertKind.PQ_SANCTION: "professional_qualifications",
    AlertKind.PQ_FALSIFIED_DIPLOMA: "professional_qualifications",
    AlertKind.NOTICE: None,
}

# The fields an alert of each kind may carry, in the order of its form.
FIELDS: dict[str, tuple[str, ...]] = {
    AlertKind.SERVICES: ("activity", "provider_name", "risk_description", "measures_taken", "decision_date"),
    AlertKind.PQ_SANCTION: (
        "subject_name",
        "subject_identifiers",
        "subject_birth_date",
        "profession",
        "deciding_authority",
        "decision_date",
        "restriction_scope",
        "sanction_start_date",
        "sanction_end_date",
    ),
    AlertKind.PQ_FALSIFIED_DIPLOMA: (
        "subject_name",
        "subject_identifiers",
        "subject_birth_date",
        "profession",
        "deciding_authority",
        "decision_date",
        "description",
    ),
    AlertKind.NOTICE: ("description",),
}

# Required before broadcast (Directive 2006/123 Art. 29(3), 32; Implementing Regulation
# 2015/983 Art. 23-24 for the professional qualifications alerts).
REQUIRED: dict[str, tuple[str, ...]] = {
    AlertKind.SERVICES: ("activity", "provider_name", "risk_description", "measures_taken"),
    AlertKind.PQ_SANCTION: (
        "subject_name",
        "profession",
        "deciding_authority",
        "decision_date",
        "restriction_scope",
        "sanction_start_date",
    ),
    AlertKind.PQ_FALSIFIED_DIPLOMA: ("subject_name", "profession", "deciding_authority", "decision_date"),
    AlertKind.NOTICE: ("description",),
}

# Under 2015/983 Art. 24 an incoming coordinator sees only these until the alert is forwarded.
COORDINATOR_FIELDS = ("profession", "restriction_scope")

# Every content field (the union of FIELDS): what a draft or a rectification may change.
CONTENT_FIELDS: tuple[str, ...] = tuple(dict.fromkeys(f for fields in FIELDS.values() for f in fields))
DATE_FIELDS = frozenset({"decision_date", "sanction_start_date", "sanction_end_date", "subject_birth_date"})


def field_label(name: str) -> str:
    """The field's name as the form shows it (the model's translated verbose name)."""
    return str(getattr(Alert._meta.get_field(name), "verbose_name", name))


def missing_fields(alert: Alert) -> list[str]:
    """The required fields of the alert's kind that are still empty."""
    return [name for name in REQUIRED[alert.kind] if getattr(alert, name) in ("", None)]
