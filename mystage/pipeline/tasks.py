"""django-q2 tasks that span the pipeline."""

from mystage.pipeline import services


def pipeline_tick_task() -> list[str]:
    return services.pipeline_tick()


def pipeline_sweep_task() -> dict[str, int]:
    return services.pipeline_sweep()
