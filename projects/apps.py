from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"

    def ready(self):
        from . import history, signals  # noqa: F401  (history sources; logging of refused logins)
