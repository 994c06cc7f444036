"""Accounts: the people of one tenant (or the platform operators), their roles and logins."""
