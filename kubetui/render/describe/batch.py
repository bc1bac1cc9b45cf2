"""Describers of batch/v1 kinds: Job, CronJob."""

from __future__ import annotations

from datetime import datetime

from kubetui.render.age import format_age, parse_time
from kubetui.render.describe.common import (go_value, or_none, print_bool, rfc1123,
                                            write_annotations, write_controller, write_events,
                                            write_labels)
from kubetui.render.describe.pod_template import write_pod_template
from kubetui.render.describe.writer import Describer, Related, Writer
from kubetui.render.printers import base
from kubetui.render.text import dig, selector_string


def _describe_job(w: Writer, job: dict, events: list[dict], related: Related,
                  now: datetime) -> None:
    meta, spec, status = base.meta(job), base.spec(job), base.status(job)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"Selector:\t{selector_string(spec.get('selector')) or ''}\n")
    write_labels(w, "Labels", meta.get("labels"))
    write_annotations(w, "Annotations", meta.get("annotations"))
    write_controller(w, job)
    _job_spec(w, spec, full=True)
    if status.get("startTime"):
        w.write(0, f"Start Time:\t{rfc1123(status['startTime'], now)}\n")
    if status.get("completionTime"):
        w.write(0, f"Completed At:\t{rfc1123(status['completionTime'], now)}\n")
    start, end = parse_time(status.get("startTime")), parse_time(status.get("completionTime"))
    if start and end:
        w.write(0, f"Duration:\t{format_age((end - start).total_seconds())}\n")
    if spec.get("activeDeadlineSeconds") is not None:
        w.write(0, f"Active Deadline Seconds:\t{spec['activeDeadlineSeconds']}s\n")
    active, done, failed = (status.get(k, 0) for k in ("active", "succeeded", "failed"))
    ready = status.get("ready")
    ready_text = "" if ready is None else f" ({ready} Ready)"
    w.write(0, f"Pods Statuses:\t{active} Active{ready_text} / {done} Succeeded / "
               f"{failed} Failed\n")
    if spec.get("completionMode") == "Indexed":
        w.write(0, f"Completed Indexes:\t{_cap_indexes(status.get('completedIndexes') or '')}\n")
    write_pod_template(w, spec.get("template"), now)
    write_events(w, events, now)


def _cap_indexes(indexes: str, soft_limit: int = 50) -> str:
    """capIndexesListOrNone: cut after the first comma past `soft_limit` characters."""
    cut = indexes.find(",", soft_limit)
    return or_none(indexes if cut < 0 else indexes[:cut + 1] + "...")


def _job_spec(w: Writer, spec: dict, full: bool) -> None:
    """Parallelism, Completions and, for a Job itself, its policy fields."""
    if spec.get("parallelism") is not None:
        w.write(0, f"Parallelism:\t{spec['parallelism']}\n")
    elif not full:
        w.write(0, "Parallelism:\t<unset>\n")
    completions = spec.get("completions")
    w.write(0, f"Completions:\t{'<unset>' if completions is None else completions}\n")
    if not full:
        return
    for title, key in (("Completion Mode", "completionMode"), ("Suspend", "suspend"),
                       ("Backoff Limit", "backoffLimit"),
                       ("TTL Seconds After Finished", "ttlSecondsAfterFinished")):
        if spec.get(key) is not None:
            w.write(0, f"{title}:\t{go_value(spec[key])}\n")


def _describe_cronjob(w: Writer, cj: dict, events: list[dict], related: Related,
                      now: datetime) -> None:
    meta, spec, status = base.meta(cj), base.spec(cj), base.status(cj)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    write_labels(w, "Labels", meta.get("labels"))
    write_annotations(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Schedule:\t{spec.get('schedule', '')}\n")
    w.write(0, f"Concurrency Policy:\t{spec.get('concurrencyPolicy', '')}\n")
    suspend = spec.get("suspend")
    w.write(0, f"Suspend:\t{'<unset>' if suspend is None else print_bool(suspend)}\n")
    for title, key, unit in (("Time Zone", "timeZone", ""),
                             ("Successful Job History Limit", "successfulJobsHistoryLimit", ""),
                             ("Failed Job History Limit", "failedJobsHistoryLimit", ""),
                             ("Starting Deadline Seconds", "startingDeadlineSeconds", "s")):
        value = spec.get(key)
        w.write(0, f"{title}:\t{'<unset>' if value is None else f'{value}{unit}'}\n")
    job_spec = dig(spec, "jobTemplate", "spec") or {}
    selector = job_spec.get("selector")
    w.write(0, f"Selector:\t{'<unset>' if selector is None else selector_string(selector)}\n")
    _job_spec(w, job_spec, full=False)
    if job_spec.get("activeDeadlineSeconds") is not None:
        w.write(0, f"Active Deadline Seconds:\t{job_spec['activeDeadlineSeconds']}s\n")
    write_pod_template(w, job_spec.get("template"), now)
    last = status.get("lastScheduleTime")
    w.write(0, f"Last Schedule Time:\t{rfc1123(last, now) if last else '<unset>'}\n")
    active = ", ".join(ref.get("name", "") for ref in status.get("active") or [])
    w.write(0, f"Active Jobs:\t{or_none(active)}\n")
    write_events(w, events, now)


DESCRIBERS: dict[str, Describer] = {
    "Job": _describe_job,
    "CronJob": _describe_cronjob,
}
