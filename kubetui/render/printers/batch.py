"""batch/v1: Job (STATUS COMPLETIONS DURATION AGE, as kubectl 1.32 prints) and CronJob."""

from __future__ import annotations

from datetime import datetime

from kubetui.render.age import format_age, parse_time, since
from kubetui.render.model import DONE, FAILED, OK, PENDING, TERMINATING, Cell, RowHealth
from kubetui.render.printers.base import (AGE, CONTAINERS, IMAGES, NAME, SELECTOR, Printer,
                                          age, column, condition_true, meta, name, spec,
                                          status)
from kubetui.render.text import container_cells, dig, format_selector

JOB = (
    NAME,
    column("Status", description="Status of the job."),
    column("Completions", sort="ratio"),
    column("Duration", sort="age", age=True, description="Time required to complete the job."),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
)

#: STATUS in kubectl's order of precedence, with the health each one means.
_JOB_STATES: tuple[tuple[str, RowHealth], ...] = (
    ("Complete", DONE), ("Failed", FAILED), ("Terminating", TERMINATING),
    ("Suspended", PENDING), ("FailureTarget", FAILED),
)


def render_job(job: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    job_spec, job_status = spec(job), status(job)
    succeeded = job_status.get("succeeded", 0)
    if job_spec.get("completions") is not None:
        completions = f"{succeeded}/{job_spec['completions']}"
    elif (job_spec.get("parallelism") or 0) > 1:
        completions = f"{succeeded}/1 of {job_spec['parallelism']}"
    else:
        completions = f"{succeeded}/1"
    state, health = job_state(job)
    names, images = container_cells(dig(job_spec, "template", "spec", "containers"))
    cells: list[Cell] = [name(job), state, completions, _duration(job_status, now),
                         age(job, now), names, images, format_selector(job_spec.get("selector"))]
    return cells, health


def job_state(job: dict) -> tuple[str, RowHealth]:
    for state, health in _JOB_STATES:
        if state == "Terminating":
            if meta(job).get("deletionTimestamp"):
                return state, health
        elif condition_true(job, state):
            return state, health
    return "Running", OK


def _duration(job_status: dict, now: datetime) -> str:
    start = parse_time(job_status.get("startTime"))
    if start is None:
        return ""
    end = parse_time(job_status.get("completionTime")) or now
    return format_age((end - start).total_seconds())


CRONJOB = (
    NAME,
    column("Schedule"),
    column("Timezone"),
    column("Suspend", "boolean"),
    column("Active", "integer"),
    column("Last Schedule", sort="age", age=True),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
)


def render_cronjob(cj: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    cj_spec = spec(cj)
    suspend = cj_spec.get("suspend")
    last = status(cj).get("lastScheduleTime")
    names, images = container_cells(
        dig(cj_spec, "jobTemplate", "spec", "template", "spec", "containers"))
    cells: list[Cell] = [
        name(cj), cj_spec.get("schedule", ""), cj_spec.get("timeZone") or "<none>",
        # printBoolPtr: a string cell, although the column is typed boolean.
        "<unset>" if suspend is None else str(bool(suspend)),
        len(status(cj).get("active") or []), since(last, now) if last else "<none>",
        age(cj, now), names, images,
        format_selector(dig(cj_spec, "jobTemplate", "spec", "selector")),
    ]
    return cells, PENDING if suspend else OK


PRINTERS = (
    Printer("Job", "batch", JOB, render_job),
    Printer("CronJob", "batch", CRONJOB, render_cronjob),
)
