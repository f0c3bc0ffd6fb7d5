from celery import shared_task

from . import sla_clock


@shared_task(time_limit=240, soft_time_limit=220, ignore_result=True)
def sla_sweep():
    """Warn before and record breaches of SLA targets; safe to run twice at once."""
    return sla_clock.sla_sweep()
