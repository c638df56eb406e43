import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Logging in hashes a password: the fast hasher keeps each admin test well under a second."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
