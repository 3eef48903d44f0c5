"""Signing in: lockout after failed passwords (django-axes), one-time passwords for
local accounts (django-otp), OpenID Connect (SITHS through the IdP), sessions."""
