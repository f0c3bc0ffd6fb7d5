"""Satisfaction per engineer, tariff and month, for leads' dashboards."""

from datetime import datetime, time, timedelta

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from workspace.satisfaction_reports import satisfaction_by
from workspace.services import can_lead


class SatisfactionReportView(APIView):
    """Ratings of the resolutions in the last ``days`` days (default 90, at most 730)."""

    @extend_schema(parameters=[OpenApiParameter("days", OpenApiTypes.INT)], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        if not can_lead(request.user):
            raise PermissionDenied()
        try:
            days = min(max(int(request.query_params.get("days", 90)), 1), 730)
        except ValueError:
            days = 90
        tz = timezone.get_current_timezone()
        end = datetime.combine(timezone.localdate() + timedelta(days=1), time.min, tz)
        rows = satisfaction_by(end - timedelta(days=days + 1), end)
        return Response({"days": days, "rows": [{**r, "month": r["month"].isoformat()} for r in rows]})
