from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"

    def ready(self):
        from . import history, revision, signals  # noqa: F401  (history sources; logging of refused logins)

        revision.connect()  # the projects' content revision follows every row that belongs to a project
