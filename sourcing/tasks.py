"""django-q2 tasks for sourcing: thin wrappers that take ids and call services."""

from sourcing import services


def scrape_fetch_task(scrape_id: int) -> None:
    services.scrape_fetch(scrape_id=scrape_id)


def scrapes_request_due_task() -> int:
    return services.scrapes_request_due()


def api_query_run_task(task_id: int) -> dict[str, int]:
    from sourcing.api_queries import api_query_run

    return api_query_run(task_id=task_id)
