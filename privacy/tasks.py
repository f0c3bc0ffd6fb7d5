from celery import shared_task

from .models import DataExport
from .services import export_build


@shared_task(acks_late=True, soft_time_limit=540, time_limit=600, ignore_result=True)
def build_export(export_id):
    export_build(export_id)


@shared_task(soft_time_limit=540, time_limit=600, ignore_result=True)
def sweep_exports():
    """Exports whose task was lost (Redis down) are built by this beat entry."""
    for export_id in DataExport.objects.filter(status=DataExport.Status.QUEUED).values_list("pk", flat=True):
        export_build(export_id)
