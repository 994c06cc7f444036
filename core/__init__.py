"""Shared base of the portal: storage, task base, dashboard shell, common templates."""
