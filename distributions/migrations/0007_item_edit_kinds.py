from django.db import migrations, models


def fill_edit_kinds(apps, schema_editor):
    ChangeItem = apps.get_model("distributions", "ChangeItem")
    for item in ChangeItem.objects.only("pk", "edits").iterator():
        kinds = sorted({edit["kind"] for edit in item.edits})
        text = " " + " ".join(kinds) + " " if kinds else ""
        ChangeItem.objects.filter(pk=item.pk).update(edit_kinds=text)


class Migration(migrations.Migration):
    dependencies = [("distributions", "0006_item_steps")]

    operations = [
        migrations.AddField(
            model_name="changeitem",
            name="edit_kinds",
            field=models.CharField(blank=True, default="", editable=False, max_length=255),
        ),
        migrations.RunPython(fill_edit_kinds, migrations.RunPython.noop),
    ]
