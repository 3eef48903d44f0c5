"""The REST API under /api/v1/ (Django REST framework, OpenAPI schema by drf-spectacular).

The API calls the same services as the browser (reporting.services, payments.services)
and checks permissions through rehab.permissions; it has no rules of its own. This
package holds what every endpoint shares: token authentication, Idempotency-Key
handling, the one error shape, pagination, the schema, the documentation page and
the read-only reference data. Reports live in reporting/api.py, payout runs in
payments/api.py.
"""
