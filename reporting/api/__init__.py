"""Reports through the REST API (/api/v1/reports/): the same services as the
browser (reporting.services), scoped by rehab.permissions."""
