from celery import shared_task

from . import services


@shared_task(acks_late=True, time_limit=60, soft_time_limit=50, ignore_result=True)
def deliver_email(email_id):
    """Safe to run twice: the service claims the row before sending."""
    services.email_deliver(email_id)


@shared_task(time_limit=300, soft_time_limit=280, ignore_result=True)
def sweep_outbox():
    """Send what is pending: published while Redis was down, failed, or abandoned."""
    for email_id in services.outbox_due_ids():
        services.email_deliver(email_id)
