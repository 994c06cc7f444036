"""Demo data of the reviews app for the demo tenant (called inside the tenant's schema and a transaction)."""


def demo_ensure() -> None:
    """Create the demo records if missing; a second run changes nothing."""
