from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    """Figures of how the network works: one metadata row per request (``RequestFact``), folded
    from the request events by a job, the Single Market Scoreboard indicators declared in
    ``indicators.py``, and the pages and API that show them to each scope. Beside ``operator``:
    it reads exchanges and privacy, nothing reads it."""

    name = "openimi.statistics"
    label = "statistics"
