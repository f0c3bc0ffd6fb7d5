"""The "API tokens" page: list, create (the token is shown once), revoke."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ..forms import TokenForm
from ..selectors import tokens_of
from ..services import api_token_create, api_token_revoke


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    created = None
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            token, raw = api_token_create(user=request.user, name=form.cleaned_data["name"])
            # Rendered, not redirected: the secret exists only in this response.
            created = {"token": token, "secret": raw}
            form = TokenForm()
    else:
        form = TokenForm()
    context = {"form": form, "tokens": tokens_of(request.user), "created": created}
    return render(request, "api/tokens.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def token_revoke(request, token_id):
    token = get_object_or_404(tokens_of(request.user), pk=token_id)
    api_token_revoke(token=token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("api:tokens")
