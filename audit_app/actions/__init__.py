"""SMART actions and the subgroup's tracking of them to completion and impact.

Only its tables exist so far; the action-plan issue builds its rules and pages here."""
