"""Population lists, the reproducible draw, the cohort and the children's identities."""
