"""What every area uses: configuration, the database, access rules, security headers,
errors, the audit log, GOV.UK form helpers and the shared page furniture."""
