"""Category names move to django-modeltranslation: the hand-made ``name_en/ru/pl``
columns stay (same names, now optional), ``name`` is the base field, filled from
English so nothing reads empty."""

from django.db import migrations, models


def fill_base_name(apps, schema_editor):
    Category = apps.get_model("knowledgebase", "Category")
    for category in Category.objects.all():
        category.name = category.name_en or category.name_ru or category.name_pl or category.slug
        category.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [("knowledgebase", "0003_article_grams")]

    operations = [
        migrations.AddField(
            model_name="category", name="name", field=models.CharField(default="", max_length=120, verbose_name="name"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="category", name="name_en",
            field=models.CharField(max_length=120, null=True, verbose_name="name"),
        ),
        migrations.AlterField(
            model_name="category", name="name_ru",
            field=models.CharField(max_length=120, null=True, verbose_name="name"),
        ),
        migrations.AlterField(
            model_name="category", name="name_pl",
            field=models.CharField(max_length=120, null=True, verbose_name="name"),
        ),
        migrations.RunPython(fill_base_name, migrations.RunPython.noop),
    ]
