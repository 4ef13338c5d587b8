from django.apps import AppConfig


class ConceptsConfig(AppConfig):
    name = "concepts"

    def ready(self):
        from . import revision

        revision.connect()  # a concept's content revision follows every row of the concept
