"""People, their memberships (a role with a scope) and signing in."""
