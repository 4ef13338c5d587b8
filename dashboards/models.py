from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicFile(models.Model):
    """A file everyone may download, built by a task and served as it is (dashboards/publication.py).

    The public IATI activity file takes seconds to write for a large portfolio: it is written once
    after the data changes, not for each visitor.
    """

    name = models.CharField(max_length=50, unique=True)
    file = models.FileField(upload_to="public/", max_length=300)
    etag = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    generation = models.BigIntegerField(help_text=_("The data generation the file was built from."))
    built_at = models.DateTimeField()

    def __str__(self):
        return self.name
