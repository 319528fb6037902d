"""The audit template format, its answer types, the template library and the
section forms built from a template."""
