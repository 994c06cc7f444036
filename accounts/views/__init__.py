"""Views of accounts, one module per page family."""
