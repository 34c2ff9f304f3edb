"""The Celery application: configured from Django settings (CELERY_* names)."""

import os

from celery import Celery, Task
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")

app = Celery("edgeguard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def reuse_database_connections(task: Task | None = None, **kwargs: object) -> None:
    """Each task treats its database connection as a request does (DATABASE_CONN_MAX_AGE): kept open
    between tasks, closed once too old or unusable. Celery's Django fixup would otherwise close it around
    every task (it keeps one only for CELERY_DB_REUSE_MAX tasks, settings.py), and a new PostgreSQL
    connection per step was a tenth of a fleet change's worker time."""
    from django.db import close_old_connections

    if task is not None and getattr(task.request, "is_eager", False):
        return  # run inline by its caller (tests, CELERY_TASK_ALWAYS_EAGER): the caller's connection
    close_old_connections()


@app.on_after_configure.connect
def schedule_windows(sender: Celery, **kwargs: object) -> None:
    """Beat starts the scheduled changes whose maintenance window has come (services/schedule.py)."""
    from django.conf import settings

    sender.add_periodic_task(
        float(settings.EDGEGUARD_SCHEDULE_BEAT_SECONDS),
        sender.signature("distributions.start_scheduled_changes"),
        name="start-scheduled-changes",
    )
