from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Article

MAX_QUERY_CHARS = 200


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search the knowledge base"), max_length=MAX_QUERY_CHARS, required=False,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))

    def clean_q(self):
        return " ".join(self.cleaned_data["q"].split())


class DeflectionForm(forms.Form):
    article = forms.IntegerField(min_value=1)
    q = forms.CharField(required=False, max_length=20_000)


class VoteForm(forms.Form):
    helpful = forms.TypedChoiceField(choices=[("yes", _("Yes")), ("no", _("No"))], coerce=lambda v: v == "yes")


class ArticleForm(forms.ModelForm):
    tag_names = forms.CharField(
        label=_("Tags"), required=False, max_length=500, help_text=_("Separated by commas."),
    )

    class Meta:
        model = Article
        fields = ["title", "language", "category", "body", "tag_names", "editions", "status", "visibility", "translation_of"]
        widgets = {"body": forms.Textarea(attrs={"rows": 16}), "editions": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["tag_names"].initial = ", ".join(t.name for t in self.instance.tags.all())
            self.fields["translation_of"].queryset = Article.objects.exclude(pk=self.instance.pk)

    def clean_tag_names(self):
        return [name.strip() for name in self.cleaned_data["tag_names"].split(",") if name.strip()]
