"""Risks: arrives with its own issue; only the app configuration exists so far."""
