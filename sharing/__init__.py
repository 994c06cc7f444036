"""User-managed sharing (UMA-style): owners grant view or change on a record, people ask for access."""
