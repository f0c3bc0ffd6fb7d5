"""The customer's side: file, list, read, reply, close and reopen."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from billing.selectors import ticket_points_table, wallet_balance
from billing.services import NotEnoughPoints
from helpdesk.throttle import ALL, ratelimit
from sla.promise import promise_sentences
from sla.selectors import entitlement_for, licenses_of, promise_for

from .. import selectors, services, workflow
from ..forms import (
    CallbackForm,
    CustomerFilterForm,
    ReplyForm,
    TicketForm,
    browser_from_user_agent,
)
from ..hooks import ticket_form_filed, ticket_form_panels
from ..models import Channel, Kind, Status, Urgency
from ..satisfaction import satisfaction_open_for
from .access import customer_required
from .common import change_status

PAGE_SIZE = 25
# A customer's list counts at most this many tickets ("Page 1 of 40+" beyond).
CUSTOMER_PAGE_COUNT_CAP = 1000


def points_context(organisation, tariff):
    """What each kind of request costs and the balance, or None when the tariff charges no points."""
    table = ticket_points_table(tariff, [k for k, _label in Kind.choices], [u for u, _label in Urgency.choices])
    if table is None:
        return None
    rows = [(kind_label, urgency_label, table[kind][urgency])
            for kind, kind_label in Kind.choices for urgency, urgency_label in Urgency.choices]
    return {"table": table, "rows": rows, "balance": wallet_balance(organisation)}


@customer_required
def ticket_list(request):
    form = CustomerFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    tickets = selectors.ticket_list(request.user, status=filters.get("status", ""), query=filters.get("q", ""),
                                    ranked=True)
    page = selectors.CappedPaginator(tickets, PAGE_SIZE, cap=CUSTOMER_PAGE_COUNT_CAP).get_page(request.GET.get("page"))
    return render(request, "tickets/portal/list.html", {"form": form, "page": page})


@customer_required
@require_http_methods(["GET", "POST"])
@ratelimit("ticket_create")
def ticket_new(request):
    if request.user.organisation_id is None:
        return render(request, "tickets/portal/no_organisation.html", status=403)
    organisations = list(selectors.organisations_filing_for(request.user))
    # The customer's own organisation is among those they file for: no second query for it.
    own = next((o for o in organisations if o.pk == request.user.organisation_id), None) or request.user.organisation
    licenses = list(licenses_of(own))
    # When support ended is said only on the rendered form, not looked up for a filing.
    entitlement = entitlement_for(own, explain=request.method != "POST", licenses=licenses)
    points = points_context(own, entitlement.tariff if entitlement else None)
    options = {"licenses": licenses, "organisations": organisations, "charges_points": points is not None}
    if request.method == "POST":
        form = TicketForm(request.POST, request.FILES, **options)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items()
                    if k not in ("attachments", "organisation", "basic_terms", "submission_key")}
            key = form.cleaned_data.get("submission_key")
            organisation = form.cleaned_data.get("organisation") or own
            try:
                ticket = services.ticket_create(
                    requester=request.user,
                    organisation=organisation,
                    # Already looked up for the form when it is the same organisation, no license.
                    entitlement=entitlement if organisation.pk == own.pk and not data.get("license") else None,
                    data=data,
                    files=form.cleaned_data["attachments"],
                    language=get_language() or "en",
                    basic_terms=form.cleaned_data.get("basic_terms", False),
                    submission_key=f"web:{key}" if key else "",
                )
            except NotEnoughPoints as exc:
                form.add_error(None, _("%(cost)s Tick “file it on the basic terms” below, or buy a points pack.") % {"cost": exc.messages[0]})
            except ValidationError as exc:
                form.add_error("attachments", exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                ticket_form_filed(request, ticket)
                return redirect("tickets:created", number=ticket.number)
    else:
        form = TicketForm(
            initial={"browser": browser_from_user_agent(request.META.get("HTTP_USER_AGENT", ""))}, **options,
        )
    if request.method == "POST":
        entitlement = entitlement_for(own)  # the form is shown again: say when support ended
    promise = promise_sentences(promise_for(entitlement.tariff), request.user.time_zone) if entitlement else {}
    context = {"form": form, "entitlement": entitlement, "promise": promise, "points": points,
               "cannot_file": services.ticket_filing_refusal(request.user.organisation, Channel.WEB)}
    if not context["cannot_file"]:
        context["panels"] = ticket_form_panels(request)
    status = 403 if context["cannot_file"] else 200
    return render(request, "tickets/portal/new.html", context, status=status)


@customer_required
@ratelimit("ticket_page", methods=ALL)
def ticket_created(request, number):
    ticket = selectors.ticket_for(request.user, number)
    promise = selectors.ticket_promise(ticket, request.user.time_zone)
    return render(request, "tickets/portal/created.html", {"ticket": ticket, "promise": promise})


@login_required
@ratelimit("ticket_page", methods=ALL)
def ticket_detail(request, number):
    if request.user.is_engineer:
        return redirect("workspace:work", number=number)
    if not request.user.is_customer:
        raise PermissionDenied
    ticket = selectors.ticket_for(request.user, number)
    if ticket.merged_into_id is not None:
        # A merged request's reference opens the one it was merged into (same organisation,
        # so whoever sees one sees the other; checked all the same).
        target = selectors.ticket_by_reference(request.user, str(selectors.merge_target(ticket).number))
        if target is not None:
            messages.info(request, _("%(ref)s was merged into %(target)s: the conversation continues here.")
                          % {"ref": ticket.reference, "target": target.reference})
            return redirect("tickets:detail", number=target.number)
    return _render_detail(request, ticket, ReplyForm())


def _render_detail(request, ticket, reply_form, status=200, callback_form=None):
    read_only = services.ticket_filing_refusal(ticket.organisation, None) if not ticket.organisation.is_active else ""
    phone = (ticket.tariff is not None and ticket.tariff.allows(Channel.PHONE) and not read_only
             and ticket.status != Status.CLOSED)
    context = {
        "ticket": ticket,
        "targets": selectors.sla_targets(ticket),
        "promise": selectors.ticket_promise(ticket, request.user.time_zone),
        "callback_form": (callback_form or CallbackForm()) if phone else None,
        "items": selectors.conversation(ticket, include_internal=False),
        "files": selectors.ticket_files(ticket, include_internal=False),
        "reply_form": reply_form,
        "read_only": read_only,
        "transitions": [] if read_only or ticket.merged_into_id else workflow.transition_choices(request.user, ticket.status),
        "links": selectors.ticket_links(ticket, request.user),
        "merged_here": selectors.merged_here(ticket),
        "survey": satisfaction_open_for(ticket) if ticket.status in (Status.RESOLVED, Status.CLOSED) else None,
    }
    return render(request, "tickets/portal/detail.html", context, status=status)


@customer_required
@require_POST
@ratelimit("reply")
def ticket_reply(request, number):
    ticket = selectors.ticket_for(request.user, number)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.ticket_reply(
                ticket=ticket, author=request.user, body=form.cleaned_data["body"],
                files=form.cleaned_data["attachments"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your reply is added."))
            return redirect("tickets:detail", number=ticket.number)
    return _render_detail(request, ticket, form, status=400)


@customer_required
@require_POST
def ticket_transition(request, number):
    ticket = selectors.ticket_for(request.user, number)
    if request.POST.get("status") == Status.CLOSED and request.POST.get("confirm") != "1":
        # Closing is final for the customer (no reply reopens it): the page asks first.
        messages.error(request, _("Confirm that you want to close the request."))
        return redirect("tickets:detail", number=ticket.number)
    return change_status(request, ticket, "tickets:detail")


@customer_required
@require_POST
@ratelimit("callback")
def ticket_callback(request, number):
    ticket = selectors.ticket_for(request.user, number)
    form = CallbackForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, ticket, ReplyForm(), status=400, callback_form=form)
    try:
        services.callback_request(ticket=ticket, user=request.user, **form.cleaned_data)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("We will call you back."))
    return redirect("tickets:detail", number=ticket.number)
