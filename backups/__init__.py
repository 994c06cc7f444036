"""Backups: encrypted per-tenant archives, retention, and restore drills measured against RTO and RPO."""
