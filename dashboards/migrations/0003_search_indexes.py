"""Stored text-search vectors for search (dashboards/search.py), on PostgreSQL only.

Each table that search reads many rows of gets two generated columns, `search_en` and
`search_ru` (`to_tsvector` of its text fields in the English and the Russian configuration,
kept up to date by PostgreSQL itself), each with a GIN index. Search matches and ranks on them
without parsing the text again. The models do not know these columns: Django never writes them.
A later migration that changes the type of one of these text fields must drop the columns first
(PostgreSQL refuses to alter a column that a generated one uses) and add them again after.
Other databases search without them.
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
CONFIGS = {"search_en": "english", "search_ru": "russian"}


def _expression(config: str, fields: list[str]) -> str:
    text = " || ' ' || ".join(f"COALESCE(\"{name}\", '')" for name in fields)
    return f"to_tsvector('{config}'::regconfig, {text})"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, fields in TABLES.items():
        for column, config in CONFIGS.items():
            schema_editor.execute(
                f'ALTER TABLE "{table}" ADD COLUMN "{column}" tsvector '
                f"GENERATED ALWAYS AS ({_expression(config, fields)}) STORED"
            )
            schema_editor.execute(f'CREATE INDEX "{table}_{column}" ON "{table}" USING gin ("{column}")')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        for column in CONFIGS:
            schema_editor.execute(f'ALTER TABLE "{table}" DROP COLUMN IF EXISTS "{column}"')


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0002_export_job"),
        ("concepts", "0006_remove_concept_revision"),
        ("activities", "0002_russian_version"),
        ("projects", "0004_project_code_iati_characters_and_kosovo"),
    ]

    operations = [migrations.RunPython(create, drop)]
