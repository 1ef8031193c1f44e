from django.db import migrations


def forwards(apps, schema_editor):
    from varta.hotline.taxonomy import STANDARD_TOPICS

    Topic = apps.get_model("hotline", "Topic")
    for position, (code, name_en, name_uk, children) in enumerate(STANDARD_TOPICS, start=1):
        category, _ = Topic.objects.get_or_create(
            organisation=None, code=code,
            defaults={"name_en": name_en, "name_uk": name_uk, "sort_order": position * 10})
        for child_position, (child_code, child_en, child_uk) in enumerate(children, start=1):
            Topic.objects.get_or_create(
                organisation=None, code=child_code,
                defaults={"parent": category, "name_en": child_en, "name_uk": child_uk, "sort_order": child_position})


class Migration(migrations.Migration):
    dependencies = [("hotline", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
