"""The generic registry the apps fill in AppConfig.ready."""

from core.registry import Registry


def test_the_first_entry_of_a_key_stays_so_a_repeated_ready_changes_nothing():
    registry: Registry[str] = Registry("test")
    assert registry.register("risks", "first") == "first"
    assert registry.register("risks", "second") == "first"
    assert registry.items() == ["first"] and len(registry) == 1


def test_entries_come_in_order_then_in_the_order_they_were_registered():
    registry: Registry[str] = Registry("test")
    registry.register("late", "late", order=200)
    registry.register("b", "b")
    registry.register("a", "a")
    registry.register("early", "early", order=10)
    assert registry.keys() == ["early", "b", "a", "late"]
    assert list(registry) == ["early", "b", "a", "late"]


def test_lookup_by_key_and_removal():
    registry: Registry[int] = Registry("test")
    registry.register("one", 1)
    assert registry.get("one") == 1 and "one" in registry
    assert registry.get("two") is None and "two" not in registry
    registry.unregister("one")
    registry.unregister("one")  # removing twice is harmless
    assert registry.get("one") is None and registry.items() == []
