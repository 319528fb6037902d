"""The cohort tests use the draft audit of the audit tests (a mapped population list)."""

from tests.integration.audits.test_audits import draft, two_agencies  # noqa: F401
