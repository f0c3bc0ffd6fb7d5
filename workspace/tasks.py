from celery import shared_task

from . import rollup


@shared_task(time_limit=1800, soft_time_limit=1700, ignore_result=True)
def reports_rollup(full=False):
    """Refresh the reports' daily roll-up (the days that changed; all days with ``full``).
    Safe to run twice at once: the second run returns while the first holds the lock."""
    return rollup.rollup_refresh(full=full)
