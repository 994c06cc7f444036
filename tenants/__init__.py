"""Tenants: organisations, their host names, provisioning and the embedded dev services."""
