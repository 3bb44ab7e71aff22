"""A GIN index for full-text search in transcripts, on PostgreSQL only.

Its expression is the one ``calls.selectors.calls_search`` queries (``SearchVector("text",
config="simple")``), so the planner uses it. Built CONCURRENTLY: existing installations
with millions of turns keep taking calls while it builds.
"""

from django.db import migrations

INDEX = "turn_text_search"


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON calls_transcriptturn "
        "USING gin (to_tsvector('simple'::regconfig, COALESCE(text, '')))"
    )


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("calls", "0008_call_metadata")]

    operations = [migrations.RunPython(create, drop)]
