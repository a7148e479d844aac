"""The one extension mechanism: names, lazy entries, errors."""

from __future__ import annotations

from typing import ClassVar

import pytest

from trailhound.registry import Registry, RegistryError


class Alpha:
    name: ClassVar[str] = "alpha"


class Beta:
    name: ClassVar[str] = "beta"


def test_register_get_and_iterate_in_name_order() -> None:
    registry: Registry[type[object]] = Registry("thing", group=None)
    registry.register(Beta)
    registry.register(Alpha)
    assert registry.get("alpha") is Alpha
    assert [item.__name__ for item in registry] == ["Alpha", "Beta"]
    assert "beta" in registry and "gamma" not in registry and len(registry) == 2


def test_a_name_is_taken_once() -> None:
    registry: Registry[type[object]] = Registry("thing", group=None)
    registry.register(Alpha)
    registry.register(Alpha)  # the same object again is harmless
    clash = type("Other", (), {"name": "alpha"})
    with pytest.raises(RegistryError, match="already registered"):
        registry.register(clash)
    assert registry.register(clash, replace=True) is clash


def test_unknown_names_list_the_known_and_suggest() -> None:
    registry: Registry[type[object]] = Registry("thing", group=None)
    registry.register(Alpha)
    with pytest.raises(RegistryError, match=r"no thing named 'alpah'.*known: alpha.*'alpha'"):
        registry.get("alpah")


def test_lazy_entries_import_on_first_use() -> None:
    registry: Registry[object] = Registry("thing", group=None)
    registry.register_lazy("decoder", "json:JSONDecoder")
    assert registry.names() == ["decoder"]
    import json

    assert registry.get("decoder") is json.JSONDecoder
    registry.register_lazy("broken", "trailhound_no_such_module:X")
    with pytest.raises(RegistryError, match="cannot load thing 'broken'"):
        registry.get("broken")


def test_nameless_items_are_refused() -> None:
    registry: Registry[object] = Registry("thing", group=None)
    with pytest.raises(RegistryError, match="no 'name'"):
        registry.register(object())


def test_entry_point_groups_are_scanned() -> None:
    # The distribution's own metadata declares its built-ins; an unknown group is empty.
    registry: Registry[object] = Registry("thing", group="trailhound.no-such-group")
    assert registry.names() == []
