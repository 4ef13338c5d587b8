from django.apps import AppConfig


class BudgetsConfig(AppConfig):
    name = "budgets"

    def ready(self):
        from . import history  # noqa: F401  (registers the budget's history sources)
