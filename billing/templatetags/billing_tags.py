from django import template

from ..selectors import tariff_charges_points, wallet_balance

register = template.Library()


@register.inclusion_tag("billing/_points_badge.html")
def points_badge(ticket):
    """The organisation's points balance on the engineer's ticket page; nothing when the
    ticket's tariff charges no points."""
    if not tariff_charges_points(ticket.tariff):
        return {"show": False}
    return {"show": True, "balance": wallet_balance(ticket.organisation), "organisation": ticket.organisation}
