"""GIN indexes for search (dashboards/search.py), on PostgreSQL only.

Each index is on exactly the expression `SearchVector(*fields, config=...)` compiles to, so that
PostgreSQL uses it for the search's `@@` match: one per text configuration (English, Russian) on
the tables with many rows. Other databases search without them.
"""

from django.db import migrations

# The fields dashboards/search.py searches, in its order (a test checks that they still agree).
TABLES = {
    "concepts_sectionversion": ["title", "body"],
    "concepts_comment": ["body", "quote", "suggested_text"],
    "activities_activity": [
        "title",
        "title_ru",
        "theme",
        "theme_ru",
        "description",
        "description_ru",
        "outputs",
        "outputs_ru",
        "city",
    ],
    "projects_project": ["title", "title_ru", "code", "thematic_area", "thematic_area_ru", "summary", "summary_ru"],
}
CONFIGS = ("english", "russian")


def _expression(config: str, fields: list[str]) -> str:
    text = " || ' ' || ".join(f"COALESCE(\"{name}\", '')" for name in fields)
    return f"to_tsvector('{config}'::regconfig, {text})"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, fields in TABLES.items():
        for config in CONFIGS:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{table}_search_{config[:2]}" ON "{table}" '
                f"USING gin (({_expression(config, fields)}))"
            )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        for config in CONFIGS:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_search_{config[:2]}"')


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0002_export_job"),
        ("concepts", "0006_remove_concept_revision"),
        ("activities", "0002_russian_version"),
        ("projects", "0004_project_code_iati_characters_and_kosovo"),
    ]

    operations = [migrations.RunPython(create, drop)]
