"""One extension mechanism: registries of named plug-ins, built-ins and third parties alike.

Every extension point (sources, rule formats, detectors, outputs, store backends, SQL dialects)
is a :class:`Registry` keyed by the ``name`` class attribute of what it holds. Built-ins are
registered exactly as a third party would be: by an entry point in their distribution's
metadata (``[project.entry-points."trailhound.sources"]`` in ``pyproject.toml``) or by calling
:meth:`Registry.register`. Entry points are resolved lazily, on first use of a name, so that a
command imports only the plug-ins it uses.

>>> from typing import ClassVar
>>> class Greeting:
...     name: ClassVar[str] = "hello"
>>> greetings: Registry[type[Greeting]] = Registry("greeting", group=None)
>>> greetings.register(Greeting) is Greeting
True
>>> greetings.get("hello").name
'hello'
>>> greetings.names()
['hello']
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from trailhound.errors import TrailhoundError

T = TypeVar("T")
ENTRY_POINT_PREFIX = "trailhound."


class RegistryError(TrailhoundError):
    """A plug-in name is unknown, taken twice, or its entry point cannot be loaded."""


def _name_of(item: object) -> str:
    name = getattr(item, "name", None)
    if not isinstance(name, str) or not name:
        raise RegistryError(f"{item!r} has no 'name' to be registered under")
    return name


class Registry(Generic[T]):
    """Plug-ins of one kind, by name; entry points of ``group`` are found on first use."""

    def __init__(self, kind: str, *, group: str | None) -> None:
        self.kind = kind
        self.group = group  # e.g. "trailhound.sources"; None: registered in code only
        self._items: dict[str, T] = {}
        self._lazy: dict[str, Callable[[], T]] = {}
        self._scanned = group is None

    def register(self, item: T, *, replace: bool = False) -> T:
        """Add ``item`` under its ``name``; returns it, so this works as a class decorator."""
        name = _name_of(item)
        if not replace and name in self._items and self._items[name] is not item:
            raise RegistryError(f"a {self.kind} named {name!r} is already registered")
        self._items[name] = item
        self._lazy.pop(name, None)
        return item

    def register_lazy(self, name: str, target: str) -> None:
        """Register ``module:attribute``, imported only when ``name`` is first asked for."""
        module, _, attribute = target.partition(":")

        def load() -> T:
            value: T = getattr(importlib.import_module(module), attribute)
            return value

        if name not in self._items:
            self._lazy[name] = load

    def _scan(self) -> None:
        if self._scanned:
            return
        self._scanned = True
        assert self.group is not None
        # Imported here: reading the installed distributions' metadata costs start-up time that
        # a built-in plug-in, registered lazily by name, never needs.
        from importlib.metadata import entry_points

        for point in entry_points(group=self.group):
            if point.name not in self._items and point.name not in self._lazy:
                self._lazy[point.name] = point.load

    def get(self, name: str) -> T:
        """The plug-in called ``name``; a RegistryError naming the known ones if none is."""
        if name in self._items:
            return self._items[name]
        if name not in self._lazy:  # a built-in needs no scan: entry points never replace one
            self._scan()
        loader = self._lazy.pop(name, None)
        if loader is not None:
            try:
                item = loader()
            except Exception as error:  # a broken third-party plug-in must not look missing
                raise RegistryError(f"cannot load {self.kind} {name!r}: {error}") from error
            self._items[name] = item
            return item
        known = self.names()
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise RegistryError(
            f"no {self.kind} named {name!r}; known: {', '.join(known) or 'none'}{hint}"
        )

    def names(self) -> list[str]:
        """Every registered name, loaded or not, sorted."""
        self._scan()
        return sorted({*self._items, *self._lazy})

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self.names()

    def __iter__(self) -> Iterator[T]:
        """Every plug-in, loading those not loaded yet, in name order."""
        for name in self.names():
            yield self.get(name)

    def __len__(self) -> int:
        return len(self.names())
