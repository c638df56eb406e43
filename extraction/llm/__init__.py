"""The LLM page agent for pages without structured data.

`reduce.py` turns HTML into compact text, `chunk.py` splits long text and merges the results,
`agent.py` runs the pydantic-ai agent. All three are pure (no Django import); the Django side
(caching by content hash, recording tokens and cost, waiting when no model is configured) lives in
`extraction/services.py`. This module stays light so the router can import the name and version
without importing pydantic-ai.
"""

AGENT_NAME = "llm_page"
# Bump when the instructions, the LLM-facing schema or the reduction change what the model would
# answer: cached outputs are reused per (content hash, AGENT_VERSION), and a new version reads again.
AGENT_VERSION = "1"
