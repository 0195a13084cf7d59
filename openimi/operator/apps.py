from django.apps import AppConfig


class OperatorConfig(AppConfig):
    """The operator's pages at /operator/: reference data, question sets, network statistics.
    Apart from ``core`` (the reference data itself), since they use permissions, the directory,
    question sets and exchanges, all of which build on ``core``."""

    name = "openimi.operator"
    label = "operator"
