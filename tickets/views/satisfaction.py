"""The satisfaction page the email links to: GET shows the question, only POST records."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from ..models import SatisfactionSurvey
from ..satisfaction import satisfaction_can_change, satisfaction_rate


class RatingForm(forms.Form):
    rating = forms.ChoiceField(label=_("Did we help you?"), choices=SatisfactionSurvey.Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Anything you want to tell us (optional)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))


@require_http_methods(["GET", "POST"])
def satisfaction(request, token):
    """Reached by the unguessable link in the email (no login needed: the link is the proof);
    a wrong token is a 404 like any missing page."""
    survey = SatisfactionSurvey.objects.select_related("ticket").filter(token=token).first()
    if survey is None:
        raise Http404
    form = RatingForm(request.POST or None, initial={"rating": survey.rating, "comment": survey.comment})
    status, saved = 200, False
    if request.method == "POST":
        if form.is_valid():
            try:
                survey = satisfaction_rate(survey=survey, **form.cleaned_data)
                saved = True
            except ValidationError as exc:
                form.add_error(None, exc)
                status = 400
        else:
            status = 400
    context = {"survey": survey, "form": form, "saved": saved, "can_change": satisfaction_can_change(survey),
               "csat_days": settings.CSAT_CHANGE_DAYS}
    return render(request, "tickets/portal/satisfaction.html", context, status=status)
