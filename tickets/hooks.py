"""Where the apps above ``tickets`` add to the customer's ticket form without ``tickets``
importing them: an app registers a hook in its ``AppConfig.ready()``.

A hook has two methods:

* ``panel(request)``: HTML (already escaped, e.g. ``render_to_string``) shown above the
  knowledge-base suggestions on the form, or ``""``;
* ``filed(request, ticket)``: called after the form filed ``ticket`` (committed), with the
  request whose POST may carry the hook's own fields (buttons with ``form="ticket-form"``).
"""

import logging

from django.utils.safestring import mark_safe

log = logging.getLogger(__name__)

_form_hooks = []


def ticket_form_hook_register(hook):
    if hook not in _form_hooks:
        _form_hooks.append(hook)
    return hook


def ticket_form_panels(request):
    """The registered panels' HTML for this request, joined."""
    return mark_safe("".join(hook.panel(request) for hook in _form_hooks))


def ticket_form_filed(request, ticket):
    """Tell the hooks the form filed ``ticket``; a failing hook is logged, never undoes it."""
    for hook in _form_hooks:
        try:
            hook.filed(request, ticket)
        except Exception:  # the ticket is filed and committed: tell the customer so
            log.exception("ticket form hook %r failed for ticket %s", hook, ticket.number)
