"""The Celery application: configured from Django settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")

app = Celery("edgeguard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def schedule_windows(sender: Celery, **kwargs: object) -> None:
    """Beat starts the scheduled changes whose maintenance window has come (services/schedule.py)."""
    from django.conf import settings

    sender.add_periodic_task(
        float(settings.EDGEGUARD_SCHEDULE_BEAT_SECONDS),
        sender.signature("distributions.start_scheduled_changes"),
        name="start-scheduled-changes",
    )
