import django.db.models.deletion
from django.db import migrations, models

LANGUAGES = [("en", "English"), ("ru", "Russian")]


def source_language_everywhere(apps, schema_editor):
    """Every version and edition entry written so far is in its concept's (source) language."""
    Concept = apps.get_model("concepts", "Concept")
    SectionVersion = apps.get_model("concepts", "SectionVersion")
    EditionEntry = apps.get_model("concepts", "EditionEntry")
    for concept_id, language in Concept.objects.values_list("pk", "language"):
        SectionVersion.objects.filter(section__concept_id=concept_id).update(language=language)
        EditionEntry.objects.filter(edition__concept_id=concept_id).update(language=language)


class Migration(migrations.Migration):
    dependencies = [("concepts", "0003_concept_revision")]

    operations = [
        migrations.AddField(
            model_name="concept",
            name="target_languages",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Languages the concept is also kept in, section by section, as translations of the source.",
                verbose_name="translated into",
            ),
        ),
        migrations.AlterField(
            model_name="concept",
            name="language",
            field=models.CharField(
                choices=LANGUAGES,
                default="en",
                help_text="The language the concept is drafted in: its source text.",
                max_length=8,
                verbose_name="language",
            ),
        ),
        migrations.AddField(
            model_name="sectionversion",
            name="language",
            field=models.CharField(choices=LANGUAGES, default="en", max_length=8, verbose_name="language"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="editionentry",
            name="language",
            field=models.CharField(choices=LANGUAGES, default="en", max_length=8, verbose_name="language"),
            preserve_default=False,
        ),
        migrations.RunPython(source_language_everywhere, migrations.RunPython.noop),
        migrations.AddField(
            model_name="sectionversion",
            name="source_version",
            field=models.ForeignKey(
                blank=True,
                help_text="For a translation: the version of the source text it translates.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="concepts.sectionversion",
            ),
        ),
        migrations.AlterField(
            model_name="sectionversion",
            name="number",
            field=models.PositiveIntegerField(help_text="Counted per language: 1, 2, 3 …", verbose_name="version"),
        ),
        migrations.RemoveConstraint(model_name="sectionversion", name="one_version_number_per_section"),
        migrations.AddConstraint(
            model_name="sectionversion",
            constraint=models.UniqueConstraint(
                fields=("section", "language", "number"), name="one_version_number_per_language"
            ),
        ),
        migrations.AlterModelOptions(
            name="sectionversion",
            options={
                "ordering": ["section", "language", "-number"],
                "verbose_name": "section version",
                "verbose_name_plural": "section versions",
            },
        ),
        migrations.RemoveConstraint(model_name="editionentry", name="section_once_per_edition"),
        migrations.AddConstraint(
            model_name="editionentry",
            constraint=models.UniqueConstraint(
                fields=("edition", "section", "language"), name="section_once_per_edition_language"
            ),
        ),
        migrations.AlterModelOptions(name="editionentry", options={"ordering": ["edition", "language", "position"]}),
        migrations.CreateModel(
            name="SectionTranslation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("language", models.CharField(choices=LANGUAGES, max_length=8, verbose_name="language")),
                (
                    "head",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="concepts.sectionversion"
                    ),
                ),
                (
                    "section",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="translations", to="concepts.section"
                    ),
                ),
            ],
            options={
                "verbose_name": "section translation",
                "verbose_name_plural": "section translations",
                "constraints": [
                    models.UniqueConstraint(fields=("section", "language"), name="one_translation_per_language")
                ],
            },
        ),
    ]
