from celery import shared_task

from . import selectors, services


@shared_task(acks_late=True, time_limit=600, soft_time_limit=570, ignore_result=True)
def deliver_incident_update(update_id):
    """Safe to run twice: the service locks the update row and marks it delivered."""
    services.incident_update_deliver(update_id)


@shared_task(time_limit=900, soft_time_limit=870, ignore_result=True)
def sweep_incident_updates():
    """Deliver updates whose task was never published (Redis down) or was lost."""
    for update_id in selectors.pending_updates():
        services.incident_update_deliver(update_id)
