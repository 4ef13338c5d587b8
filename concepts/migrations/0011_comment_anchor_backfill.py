"""Places for the comments made before places were recorded: the first occurrence of the quote in
the comment's version, followed through the later versions while the comment is open."""

from django.db import migrations


def backfill(apps, schema_editor):
    # The pure text functions only (strings in, places out); the rows go through the historical models.
    from concepts.anchoring import Relocation, initial_place, status_of

    Comment = apps.get_model("concepts", "Comment")
    CommentAnchor = apps.get_model("concepts", "CommentAnchor")
    SectionVersion = apps.get_model("concepts", "SectionVersion")
    comments = Comment.objects.filter(parent=None, anchors=None).exclude(quote="").select_related("version")
    for comment in comments.iterator(chunk_size=200):
        version = comment.version
        place = initial_place(version.body, comment.quote)
        if place is None:
            continue
        original = version.body[place.start : place.end]
        rows = [_row(CommentAnchor, comment, version, place, original, "unchanged")]
        if comment.disposition == "open":
            later = SectionVersion.objects.filter(
                section_id=version.section_id, language=version.language, number__gt=version.number
            ).order_by("number")
            previous = version
            for newer in later.iterator():
                passage = previous.body[place.start : place.end] if place.start is not None else ""
                place = Relocation(previous.body, newer.body).locate(place, passage)
                text = newer.body[place.start : place.end] if place.start is not None else ""
                rows.append(_row(CommentAnchor, comment, newer, place, text, status_of(place, text, original)))
                previous = newer
        CommentAnchor.objects.bulk_create(rows, ignore_conflicts=True)


def _row(model, comment, version, place, text, status):
    return model(comment=comment, version=version, status=status, start=place.start, end=place.end,
                 text=text if place.start is not None else "", prefix=place.prefix, suffix=place.suffix,
                 moved=place.moved)  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("concepts", "0010_comment_anchor")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
