from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    """Figures of how the network works. Today: one metadata row per sent request
    (``RequestFact``), folded from the request events by a job (``facts.py``), by the clock
    rules of docs/statistics.md (``clocks.py``). The indicators, pages and API come next.
    Beside ``operator``: it reads exchanges, nothing reads it."""

    name = "openimi.statistics"
    label = "statistics"
