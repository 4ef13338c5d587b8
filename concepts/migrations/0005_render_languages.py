from django.db import migrations, models
from django.db.models import Q

LANGUAGES = [("en", "English"), ("ru", "Russian")]


class Migration(migrations.Migration):
    """A render prints one language (empty: the source's) or the source and one translation together.

    Every render made so far printed the source language alone: the defaults say exactly that.
    """

    dependencies = [("concepts", "0004_parallel_languages")]

    operations = [
        migrations.AddField(
            model_name="renderjob",
            name="language",
            field=models.CharField(
                blank=True,
                choices=LANGUAGES,
                help_text=(
                    "Empty: the concept's source language. With both languages printed: the translation printed "
                    "with the source text."
                ),
                max_length=8,
                verbose_name="language",
            ),
        ),
        migrations.AddField(
            model_name="renderjob",
            name="layout",
            field=models.CharField(
                choices=[
                    ("single", "One language"),
                    ("columns", "Both languages in parallel columns"),
                    ("sequential", "Both languages, one after the other"),
                ],
                default="single",
                max_length=16,
                verbose_name="layout",
            ),
        ),
        migrations.AlterField(
            model_name="renderjob",
            name="draft_versions",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text=(
                    "The draft as requested: [section id, version id, number, level], and the translation's "
                    "version id when a translation is printed."
                ),
            ),
        ),
        migrations.AddConstraint(
            model_name="renderjob",
            constraint=models.CheckConstraint(
                condition=Q(layout="single") & (~Q(kind="redline_pdf") | Q(language=""))
                | Q(layout__in=["columns", "sequential"], kind__in=["pdf", "draft"]) & ~Q(language=""),
                name="render_job_layout_fits_its_kind",
            ),
        ),
    ]
