"""django-q2 tasks that span the pipeline."""

from mystage import pipeline


def pipeline_tick_task() -> list[str]:
    return pipeline.pipeline_tick()


def pipeline_sweep_task() -> dict[str, int]:
    return pipeline.pipeline_sweep()
