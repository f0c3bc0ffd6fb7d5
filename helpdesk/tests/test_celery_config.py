"""The beat schedule and task options are valid (a task beat cannot enqueue is silent)."""

from django.conf import settings

from helpdesk.celery import app


def _tasks():
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_every_task_has_consistent_time_limits():
    for name, task in _tasks().items():
        hard = task.time_limit or settings.CELERY_TASK_TIME_LIMIT
        soft = task.soft_time_limit or settings.CELERY_TASK_SOFT_TIME_LIMIT
        assert soft <= hard, f"{name}: soft_time_limit {soft} > time_limit {hard}"


def test_every_beat_entry_names_a_registered_task():
    tasks = _tasks()
    for entry, spec in app.conf.beat_schedule.items():
        assert spec["task"] in tasks, f"beat entry {entry} names unknown task {spec['task']}"


def test_json_only():
    assert app.conf.task_serializer == "json" and app.conf.accept_content == ["json"]
