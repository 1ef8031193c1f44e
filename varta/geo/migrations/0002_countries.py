from django.db import migrations


def forwards(apps, schema_editor):
    from varta.geo.countries import load_countries

    load_countries(apps.get_model("geo", "Country"))


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
