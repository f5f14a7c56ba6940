"""Frozen, slotted classes of named fields: the document kinds' base.

What `@dataclass(frozen=True, slots=True)` makes, without importing the
dataclasses module: it imports inspect, and with it ast, dis and tokenize,
a tenth of a `styr log` (DESIGN.md, Speed), which builds three of these
kinds and nothing else. Type checkers see a record as a dataclass
(`dataclass_transform`). A record gets `__init__` (keyword-only with
`kw_only=True`), `__eq__` and `__hash__` over its fields, `__repr__` as a
dataclass's, and refuses assignment; `fields` and `replace` work as the
dataclasses functions of those names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Final, NamedTuple, TypeVar, dataclass_transform, overload

T = TypeVar("T")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


# the default of a field that has none
MISSING: Final[Any] = _Missing()
_NO_METADATA: Final[Mapping[str, Any]] = MappingProxyType({})


class Field(NamedTuple):
    """One field of a record, in declaration order."""

    name: str
    default: Any  # MISSING when it has none
    default_factory: Callable[[], Any] | None
    metadata: Mapping[str, Any]


def field(
    *,
    default: Any = MISSING,
    default_factory: Callable[[], Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> Any:
    """A field with a default, a factory of its default, or metadata (named
    by `record` once it reads the class body)."""
    return Field("", default, default_factory, MappingProxyType(dict(metadata or {})))


class FrozenRecordError(AttributeError):
    """A field of a record was assigned to."""


def _setattr(self: object, name: str, value: Any) -> None:
    raise FrozenRecordError(f"cannot assign to field {name!r}")


def _delattr(self: object, name: str) -> None:
    raise FrozenRecordError(f"cannot delete field {name!r}")


def _rebuild(cls: type[T], values: tuple[Any, ...]) -> T:
    """A record of `cls` holding `values` (copy and pickle)."""
    made = object.__new__(cls)
    for item, value in zip(fields(cls), values, strict=True):
        object.__setattr__(made, item.name, value)
    return made


def _declared_fields(cls: type) -> tuple[Field, ...]:
    made = []
    # the class's own annotations, as inspect.get_annotations would read them
    # (inspect is the import this module exists to avoid)
    annotations = cls.__dict__.get("__annotations__", {})  # noqa: RUF063
    for name, hint in annotations.items():
        if str(hint).startswith(("ClassVar", "typing.ClassVar")):
            continue
        value = cls.__dict__.get(name, MISSING)
        if isinstance(value, Field):
            made.append(value._replace(name=name))
        else:
            made.append(Field(name, value, None, _NO_METADATA))
    return tuple(made)


def _methods(cls: type, declared: tuple[Field, ...], kw_only: bool) -> dict[str, Any]:
    """__init__ and the value tuple of `cls`, compiled once as a dataclass's are."""
    scope: dict[str, Any] = {"_MISSING": MISSING, "_set": object.__setattr__}
    params, body = [], []
    has_default = False
    for item in declared:
        name = item.name
        if item.default_factory is not None:
            scope[f"_factory_{name}"] = item.default_factory
            params.append(f"{name}=_MISSING")
            value = f"_factory_{name}() if {name} is _MISSING else {name}"
            body.append(f"_set(self, {name!r}, {value})")
            has_default = True
            continue
        if item.default is not MISSING:
            scope[f"_default_{name}"] = item.default
            params.append(f"{name}=_default_{name}")
            has_default = True
        elif has_default and not kw_only:
            raise TypeError(f"{cls.__name__}: field {name!r} without a default follows one with")
        else:
            params.append(name)
        body.append(f"_set(self, {name!r}, {name})")
    star = ["*"] if kw_only and params else []
    values = "".join(f"self.{item.name}," for item in declared)
    source = (
        f"def __init__(self, {', '.join([*star, *params])}) -> None:\n"
        f"    {'; '.join(body) or 'pass'}\n"
        f"def _values(self):\n"
        f"    return ({values})\n"
    )
    exec(source, scope)
    made = {"__init__": scope["__init__"], "_values": scope["_values"]}
    for name, function in made.items():
        function.__qualname__ = f"{cls.__qualname__}.{name}"
    return made


def _make(cls: type[T], kw_only: bool) -> type[T]:
    declared = _declared_fields(cls)
    names = tuple(item.name for item in declared)
    methods = _methods(cls, declared, kw_only)
    values = methods["_values"]

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is self.__class__:
            equal: bool = values(self) == values(other)
            return equal
        return NotImplemented

    def __hash__(self: Any) -> int:
        return hash(values(self))

    def __repr__(self: Any) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({shown})"

    def __reduce__(self: Any) -> tuple[Any, ...]:
        return (_rebuild, (self.__class__, values(self)))

    body = {
        key: value
        for key, value in cls.__dict__.items()
        if key not in names and key not in ("__dict__", "__weakref__")
    }
    body |= {
        "__slots__": names,
        "__qualname__": cls.__qualname__,
        "__record_fields__": declared,
        "__init__": methods["__init__"],
        "__eq__": __eq__,
        "__hash__": __hash__,
        "__repr__": __repr__,
        "__reduce__": __reduce__,
        "__setattr__": _setattr,
        "__delattr__": _delattr,
    }
    metaclass: Any = type(cls)
    made: type[T] = metaclass(cls.__name__, cls.__bases__, body)
    return made


@overload
def record(cls: type[T], /) -> type[T]: ...


@overload
def record(*, kw_only: bool = False) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(
    cls: type[T] | None = None, /, *, kw_only: bool = False
) -> type[T] | Callable[[type[T]], type[T]]:
    """The class as a record (see the module docstring)."""
    if cls is None:
        return lambda later: _make(later, kw_only)
    return _make(cls, kw_only)


def fields(kind: object) -> tuple[Field, ...]:
    """The fields of a record class or record, in declaration order."""
    cls = kind if isinstance(kind, type) else type(kind)
    declared: tuple[Field, ...] = cls.__dict__["__record_fields__"]
    return declared


def replace(made: T, /, **changes: Any) -> T:
    """A copy of a record with some fields changed."""
    declared = fields(made)
    unknown = changes.keys() - {item.name for item in declared}
    if unknown:
        raise TypeError(f"{type(made).__name__} has no field {sorted(unknown)[0]!r}")
    values = {item.name: changes.get(item.name, getattr(made, item.name)) for item in declared}
    return type(made)(**values)
