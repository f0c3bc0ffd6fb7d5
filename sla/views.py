from django.shortcuts import render

from . import selectors


def plans(request):
    """Public page: what each tariff promises and what it costs."""
    return render(request, "sla/plans.html", {"tariffs": selectors.public_tariffs()})
