"""django-q2 tasks for sourcing: thin wrappers that take ids and call services."""

from core.queue import job_started
from core.stages import stage_task
from sourcing import fetch_stage, services


@stage_task
def scrapes_fetch_batch_task(job_key: str | None = None) -> int:
    """One batch of the fetch stage; queued again while a batch could take more now."""
    job_started(job_key)
    report = fetch_stage.scrapes_fetch_batch()
    # Claimed something, and more is claimable now: go on (a batch that took nothing stops, so hosts
    # parked by politeness never make a loop; the tick looks again every minute).
    if job_key and report.claimed and fetch_stage.scrapes_due().exists():
        fetch_stage.enqueue_job(fetch_stage.FETCH_BATCH_TASK, key=job_key, lane=fetch_stage.FETCH_LANE)
    return report.claimed


@stage_task
def scrape_fetch_task(scrape_id: int) -> None:
    """Fetch one scrape now, if it is due and its host free (the admin's retry, run_source)."""
    fetch_stage.scrapes_fetch_batch(scrape_ids=[scrape_id])


def scrapes_request_due_task(job_key: str | None = None) -> int:
    job_started(job_key)
    return services.scrapes_request_due()


def api_query_run_task(task_id: int) -> dict[str, int]:
    from sourcing.api_queries import api_query_run

    return api_query_run(task_id=task_id)
