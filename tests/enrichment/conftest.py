from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def gazetteer():
    """The offline gazetteer, built once per machine into GAZETTEER_DIR (data/gazetteer by default)."""
    from django.conf import settings

    from entities.enrichment.gazetteer import open_gazetteer

    return open_gazetteer(settings.GAZETTEER_DIR)
