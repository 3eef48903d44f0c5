"""Payout runs through the REST API (/api/v1/payout-runs/): the same services as
FK's pages (payments.services), for FK and administrators (national data)."""
