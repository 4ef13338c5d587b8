from django.apps import AppConfig


class ConceptsConfig(AppConfig):
    name = "concepts"

    def ready(self):
        from . import signals  # noqa: F401 - connects the receivers
