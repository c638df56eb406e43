"""The top layer: the pipeline's orchestration (flow, tick, sweeper, dashboard, pipeline API)."""
