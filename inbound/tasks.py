from celery import shared_task

from . import fetch, services


@shared_task(time_limit=600, soft_time_limit=570, ignore_result=True)
def poll_mailboxes():
    """Beat: fetch and process every active mailbox (one poller per mailbox at a time)."""
    fetch.poll_all()
    # Anything stored but never processed (a worker died between the two steps).
    services.inbound_process_pending()


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100, ignore_result=True)
def process_message(message_id):
    """Safe to run twice: the row is claimed under a lock and its state checked."""
    services.inbound_process(message_id)
