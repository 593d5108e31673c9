"""Name → component lookup.

The browser sends names ("tanh", "adam", "spiral"), never code; every choosable component is
registered here under its name with a short description, and looked up with a clear error.
"""

from .errors import ConfigError


class Registry:
    """An ordered mapping from names to components of one kind (activations, losses, ...)."""

    def __init__(self, kind):
        self.kind = kind
        self._items = {}
        self._info = {}

    def register(self, name, obj=None, **info):
        """Register `obj` under `name`; usable as a decorator when `obj` is omitted."""

        def add(component):
            if name in self._items:
                raise KeyError(f"{self.kind} {name!r} is registered twice")
            self._items[name] = component
            self._info[name] = dict(info)
            return component

        return add if obj is None else add(obj)

    def get(self, name, field=None):
        """The component called `name`, or ConfigError naming `field` and the allowed names."""
        if not isinstance(name, str) or name not in self._items:
            shown = name if isinstance(name, str) else type(name).__name__
            raise ConfigError(field or self.kind, f"unknown {self.kind} {shown!r}", self.names())
        return self._items[name]

    def info(self, name):
        """The description registered with `name` (a dict: label, formula, ...), a copy."""
        self.get(name)
        return _copy(self._info[name])

    def describe(self):
        """[{"name": ..., **info}, ...] for every component, in registration order (for /api/options)."""
        return [{"name": name, **self.info(name)} for name in self._items]

    def names(self):
        return list(self._items)

    def __contains__(self, name):
        return name in self._items

    def __iter__(self):
        return iter(self._items)

    def __len__(self):
        return len(self._items)


def _copy(value):
    # Nested lists and dicts (hyperparameter specs, a dataset's defaults) are copied too, so
    # callers cannot edit the registry; anything else (numbers, text, classes) is shared.
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
