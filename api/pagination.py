"""Keyset ("cursor") pagination over an indexed column plus the primary key.

Pages never skip or repeat rows while tickets are added, and page 1000 costs the same
as page 1 (no OFFSET). The cursor is opaque to clients: base64 of JSON
``[ordering, value, pk]``. ``next_due_at`` is nullable and sorts NULLs last.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


@dataclass(frozen=True)
class Ordering:
    field: str  # an indexed column, or "pk"
    descending: bool = False
    nullable: bool = False  # NULLs sort last (ascending only)

    def order_by(self):
        if self.field == "pk":
            return ["-pk" if self.descending else "pk"]
        column = F(self.field)
        column = column.desc() if self.descending else column.asc(nulls_last=self.nullable or None)
        return [column, "-pk" if self.descending else "pk"]


BY_PK = Ordering("pk")


class KeysetPagination(BasePagination):
    page_size = 25
    max_page_size = 100
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    invalid_cursor = _("This cursor is not valid; start again from the first page.")

    def paginate_queryset(self, queryset, request, view=None):
        ordering = view.get_ordering() if hasattr(view, "get_ordering") else BY_PK
        self.request, self.ordering = request, ordering
        self.size = self._page_size(request)
        after = self._decode(request.query_params.get(self.cursor_query_param), ordering)
        queryset = queryset.order_by(*ordering.order_by())
        if after is not None:
            queryset = queryset.filter(self._after(ordering, *after))
        rows = list(queryset[: self.size + 1])
        self.has_next = len(rows) > self.size
        self.page = rows[: self.size]
        return self.page

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "results": data})

    def get_next_link(self):
        if not self.has_next:
            return None
        last = self.page[-1]
        value = last.pk if self.ordering.field == "pk" else getattr(last, self.ordering.field)
        if isinstance(value, datetime):
            value = value.isoformat()
        raw = json.dumps([self._key(self.ordering), value, last.pk]).encode()
        cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_first_link(self):
        return remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)

    @staticmethod
    def _key(ordering):
        return f"{'-' if ordering.descending else ''}{ordering.field}"

    def _page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        try:
            size = int(raw)
        except (TypeError, ValueError):
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [_("Enter a whole number from 1 to %(max)d.") % {"max": self.max_page_size}]}
            )
        return size

    def _decode(self, raw, ordering):
        if not raw:
            return None
        try:
            if len(raw) > 300:
                raise ValueError
            padded = raw + "=" * (-len(raw) % 4)
            key, value, pk = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
            if key != self._key(ordering) or not isinstance(pk, int) or isinstance(pk, bool):
                raise ValueError
            if ordering.field == "pk":
                value = pk
            elif value is not None:
                value = datetime.fromisoformat(value)
                if value.tzinfo is None:
                    raise ValueError
            elif not ordering.nullable:
                raise ValueError
        except (ValueError, TypeError, UnicodeError, binascii.Error, OverflowError):
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor]}) from None
        if not -(2**63) < pk < 2**63:
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor]})
        return value, pk

    @staticmethod
    def _after(ordering, value, pk):
        """Rows strictly after (value, pk) in the ordering."""
        if ordering.field == "pk":
            return Q(pk__lt=pk) if ordering.descending else Q(pk__gt=pk)
        f = ordering.field
        if ordering.descending:
            return Q(**{f"{f}__lt": value}) | Q(**{f: value, "pk__lt": pk})
        if value is None:  # already among the NULLs, which come last
            return Q(**{f"{f}__isnull": True, "pk__gt": pk})
        after = Q(**{f"{f}__gt": value}) | Q(**{f: value, "pk__gt": pk})
        return after | Q(**{f"{f}__isnull": True}) if ordering.nullable else after

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string", "format": "uri", "nullable": True,
                    "description": "The next page, or null on the last page.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param, "in": "query", "required": False,
                "description": "Opaque position from a previous page's `next` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param, "in": "query", "required": False,
                "description": f"Rows per page, 1–{self.max_page_size} (default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
