# The fetch stage claims batches of scrapes by host: each URL keeps its host (netloc, as HostState
# names it), and HostState records the last request's start, a 429's pause and which batch holds the host.
from urllib.parse import urlsplit

from django.db import migrations, models


def fill_hosts(apps, schema_editor):
    Url = apps.get_model("sourcing", "Url")
    batch = []
    for url in Url.objects.only("pk", "url").iterator(chunk_size=2000):
        url.host = urlsplit(url.url).netloc.lower()[:255]
        batch.append(url)
        if len(batch) >= 2000:
            Url.objects.bulk_update(batch, ["host"])
            batch = []
    if batch:
        Url.objects.bulk_update(batch, ["host"])


class Migration(migrations.Migration):
    dependencies = [("sourcing", "0006_url_kind_feed")]

    operations = [
        migrations.AddField(
            model_name="url",
            name="host",
            field=models.CharField(blank=True, db_index=True, default="", editable=False, max_length=255),
        ),
        migrations.RunPython(fill_hosts, migrations.RunPython.noop),
        migrations.AddField(
            model_name="hoststate",
            name="last_request_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="hoststate",
            name="paused_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="hoststate",
            name="busy_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
