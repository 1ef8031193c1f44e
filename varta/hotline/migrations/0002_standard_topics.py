from django.db import migrations


def forwards(apps, schema_editor):
    from varta.hotline.taxonomy import load_standard_topics

    load_standard_topics(apps.get_model("hotline", "Topic"))


class Migration(migrations.Migration):
    dependencies = [("hotline", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
