"""The multi-agency panel: evidence, themes, grades, findings, recommendations.

Only its tables exist so far; the panel issue builds its rules and pages here."""
