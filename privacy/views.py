"""The person's own page for their data: ask for a copy, download it, ask to be erased."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .models import DataExport, ErasureRequest


@login_required
def privacy_page(request):
    export = DataExport.objects.filter(user=request.user).first()
    context = {
        "export": export,
        "erasure": ErasureRequest.objects.filter(user=request.user).first(),
    }
    if request.htmx:
        return render(request, "privacy/page.html#export-status", context)
    return render(request, "privacy/page.html", context)


@login_required
@require_POST
def export_ask(request):
    try:
        services.export_request(user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("We are preparing a copy of your data; the link arrives by email."))
    return redirect("privacy:page")


@login_required
def export_download(request, token):
    export = services.export_for_download(request.user, token)
    if export is None:
        raise Http404
    response = FileResponse(default_storage.open(export.file, "rb"), as_attachment=True, filename="my-helpdesk-data.zip")
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def erasure_ask(request):
    try:
        services.erasure_request(user=request.user, reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Your request is with us; once an administrator approves it, your data is erased and this account closes."))
    return redirect("privacy:page")
