"""The pipeline dashboard (/admin/pipeline/): counts per stage and status, failures grouped by reason
with a "retry these" button, throughput per hour as inline SVG, the worker cluster's queue, and a
plain warning when no worker has been seen for a minute (queued work would wait)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from mystage.pipeline import dashboard
from mystage.pipeline.flow import STAGES
from mystage.pipeline.services import pipeline_counts
from mystage.pipeline.workers import worker_status

HOURS = 48


def pipeline_dashboard(request: HttpRequest) -> HttpResponse:
    counts = pipeline_counts()
    statuses = ["pending", "running", "done", "failed", "waiting"]
    stages = [
        {
            "name": name,
            "label": name.replace("_", " "),
            "cells": [counts.get(name, {}).get(s, 0) for s in statuses],
        }
        for name, _, _ in STAGES
    ]
    context = {
        **admin.site.each_context(request),
        "title": "Pipeline dashboard",
        "counts": counts,
        "stages": stages,
        "statuses": statuses,
        "failures": dashboard.failure_groups(limit=10),
        "charts": dashboard.throughput_charts(hours=HOURS),
        "hours": HOURS,
        "queue": dashboard.queue_depth(),
        "workers": worker_status(),
        "task_failures": dashboard.recent_task_failures(limit=5),
        "sync_targets": dashboard.sync_overview(),
        "now": timezone.now(),
    }
    return TemplateResponse(request, "admin/pipeline_dashboard.html", context)


def pipeline_retry(request: HttpRequest) -> HttpResponse:
    """The "retry these" button: one failure group back to pending, re-enqueued."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    stage = request.POST.get("stage", "")
    models = {name: model for name, model, _ in STAGES}
    model = models.get(stage)
    if model is None:
        messages.error(request, f"Unknown stage {stage!r}.")
        return HttpResponseRedirect(reverse("pipeline_dashboard"))
    if not request.user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}"):
        raise PermissionDenied
    try:
        count = dashboard.failures_retry(
            stage=stage,
            last_error=request.POST.get("last_error", ""),
            status=request.POST.get("status", "failed"),
        )
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Queued {count} {stage.replace('_', ' ')} row(s) again.")
        workers = worker_status()
        if not workers.running:
            messages.warning(request, workers.describe())
    return HttpResponseRedirect(reverse("pipeline_dashboard"))
