"""The one error a scenario or catalog problem raises, in the user's words.

Every problem with a scenario (a wrong type, a value out of range, an unknown
field, a missing chip, a file that cannot be read or written) becomes a
:class:`ScenarioError` naming the file, the dotted field path, the offending
value and the rule it breaks, on one line, e.g.::

    plan.tco: inference.requests_per_day = -5.0: must be >= 0

Pydantic's own messages never reach the user: :func:`scenario_error_from_validation`
rewrites the first error of a :class:`pydantic.ValidationError`, and schema
validators report cross-field rules through :func:`rule_violation`.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, Union

import annotated_types
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

VALUE_REPR_LIMIT = 60
RULE_ERROR_TYPE = "tco_rule"


class _NoValue:
    """Type of :data:`NO_VALUE`."""

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Any = _NoValue()
"""Stands for "no meaningful value" (a missing field, an unreadable file)."""


class ScenarioError(ValueError):
    """A scenario, catalog or scenario file breaks a rule.

    Parameters
    ----------
    rule : str
        The rule that is broken, in plain words (``"must be >= 0"``).
    path : str, optional
        Dotted field path (``"inference.requests_per_day"``, ``"chips[2].tdp_w"``),
        or ``""`` when the problem concerns the whole file.
    value : object, optional
        The offending value; :data:`NO_VALUE` when there is none worth showing.
    file : str or os.PathLike, optional
        The file the problem was found in, if any.
    workload : str, optional
        In a programme, the name of the workload ``path`` lies in (``workloads[2]...``), added to
        the message so that a reader need not count workloads; ``path`` stays as it is.

    Examples
    --------
    >>> print(ScenarioError("must be >= 0", path="inference.requests_per_day", value=-5.0))
    inference.requests_per_day = -5.0: must be >= 0
    >>> print(ScenarioError("file not found", file="plan.tco"))
    plan.tco: file not found
    """

    def __init__(self, rule: str, *, path: str = "", value: Any = NO_VALUE, file: Any = None,
                 workload: str | None = None):
        self.rule = rule
        self.path = path
        self.value = value
        self.file = None if file is None else str(file)
        self.workload = workload
        super().__init__(self._one_line_message())

    @property
    def has_value(self) -> bool:
        """Whether :attr:`value` holds an offending value worth showing."""
        return self.value is not NO_VALUE

    def _one_line_message(self) -> str:
        subject = self.path
        if self.has_value:
            subject = f"{subject} = {_truncated_repr(self.value)}".lstrip()
        parts = [part for part in (self.file, subject, self.rule) if part]
        message = ": ".join(parts)
        if self.workload:
            message += f' (workload "{self.workload}")'
        return " ".join(message.split())


def _truncated_repr(value: Any) -> str:
    """``repr(value)``, cut to :data:`VALUE_REPR_LIMIT` characters."""
    text = repr(value)
    if len(text) > VALUE_REPR_LIMIT:
        text = text[: VALUE_REPR_LIMIT - 3] + "..."
    return text


def rule_violation(rule: str, *, loc: tuple[str | int, ...] = (), value: Any = NO_VALUE) -> PydanticCustomError:
    """An error for a schema validator to raise when a rule pydantic cannot express fails.

    Parameters
    ----------
    rule : str
        The rule in plain words; becomes :attr:`ScenarioError.rule`.
    loc : tuple of str or int, optional
        Where the offending field sits below the validated object, for validators
        of a whole model or container, e.g. ``("active_params_billion",)``.
    value : object, optional
        The offending value, when it is not the validated input itself.
    """
    context: dict[str, Any] = {"rule": rule, "loc": loc}
    if value is not NO_VALUE:
        context["value"] = value
    return PydanticCustomError(RULE_ERROR_TYPE, "{rule}", context)


def scenario_error_from_validation(
    error: ValidationError, model: type[BaseModel], file: Any = None
) -> ScenarioError:
    """Rewrite the first error of a pydantic validation in the user's words.

    Parameters
    ----------
    error : pydantic.ValidationError
        Raised while validating ``model``.
    model : type of pydantic.BaseModel
        The model that was validated; its fields give the path and the range rules.
    file : str or os.PathLike, optional
        The file the data came from.

    Returns
    -------
    ScenarioError
        Naming the field path, the value and the rule.
    """
    details = error.errors(include_url=False)[0]
    error_type = details["type"]
    context = details.get("ctx") or {}
    value = details["input"]
    loc = tuple(details["loc"])
    if error_type == RULE_ERROR_TYPE:
        loc += tuple(context["loc"])
        value = context.get("value", value)
    path, field, annotation = _locate(model, loc)
    if error_type in ("union_tag_invalid", "union_tag_not_found"):
        discriminator = context["discriminator"].strip("'")
        path = f"{path}.{discriminator}"
        value = context.get("tag", NO_VALUE)
    elif error_type == "missing" or isinstance(value, dict):
        value = NO_VALUE
    rule = _rule_text(error_type, context, value, field, annotation, details["msg"])
    return ScenarioError(rule, path=path, value=value, file=file)


def _rule_text(
    error_type: str, context: dict[str, Any], value: Any, field: FieldInfo | None, annotation: Any, fallback: str
) -> str:
    """The broken rule of one pydantic error, in our own words.

    Pydantic's message (``fallback``) is used only for an error kind that no scenario
    field can produce today, so that a future one is still reported, not hidden.
    """
    if error_type == RULE_ERROR_TYPE:
        return context["rule"]
    if error_type in _BOUND_SYMBOLS:
        declared = bounds_rule(field) if field is not None else ""
        violated_bound = next(iter(context.values()))
        return declared or f"must be {_BOUND_SYMBOLS[error_type]} {_number(violated_bound)}"
    if error_type == "union_tag_invalid":
        return f"must be one of {_alternatives(list(_union_tags(annotation)))}"
    if error_type == "union_tag_not_found":
        return f"is required, one of {_alternatives(list(_union_tags(annotation)))}"
    if error_type == "float_type":
        if isinstance(value, int) and not isinstance(value, bool):  # an integer beyond a float's range
            return (bounds_rule(field) if field is not None else "") or "must be a number of at most 1e308"
        return f"must be a number, got {_describe(value)}"
    if error_type == "literal_error":
        return f"must be {_alternatives(list(typing.get_args(annotation)))}"
    return _FIXED_RULES.get(error_type, fallback)


_BOUND_NAMES = (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<="))
_BOUND_SYMBOLS = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<", "less_than_equal": "<="}

_FIXED_RULES = {
    "missing": "is required",
    "extra_forbidden": "unknown field",
    "int_type": "must be an integer",
    "bool_type": "must be true or false",
    "finite_number": "must be a finite number",
    "string_type": "must be text",
    "string_too_short": "must not be empty",
    "list_type": "must be a list [...]",
    "model_type": "must be an object {...}",
    "model_attributes_type": "must be an object {...}",
    "dict_type": "must be an object {...}",
}


def field_bounds(field: FieldInfo) -> dict[str, float]:
    """The declared bounds of a numeric field.

    Parameters
    ----------
    field : pydantic.fields.FieldInfo
        A field declared with any of ``gt``, ``ge``, ``lt``, ``le``.

    Returns
    -------
    dict
        Keyed by ``"gt"``, ``"ge"``, ``"lt"``, ``"le"``, holding only the declared ones.
    """
    bounds = {}
    for constraint in field.metadata:
        for name, _ in _BOUND_NAMES:
            if isinstance(constraint, getattr(annotated_types, name.capitalize())):
                bounds[name] = getattr(constraint, name)
    return bounds


def bounds_rule(field: FieldInfo) -> str:
    """The range rule of a numeric field, e.g. ``"must be between 0 and 1"``.

    Parameters
    ----------
    field : pydantic.fields.FieldInfo
        A field declared with any of ``gt``, ``ge``, ``lt``, ``le``.

    Returns
    -------
    str
        ``""`` when the field has no bounds.
    """
    bounds = field_bounds(field)
    if "ge" in bounds and "le" in bounds:
        return f"must be between {_number(bounds['ge'])} and {_number(bounds['le'])}"
    words = [f"{symbol} {_number(bounds[name])}" for name, symbol in _BOUND_NAMES if name in bounds]
    return f"must be {' and '.join(words)}" if words else ""


def _number(value: float) -> str:
    """A bound as people write it: ``0`` not ``0.0``, ``1 million`` not ``1e+06``.

    >>> [_number(v) for v in (0.0, 1.0, 1200, 1e5, 1e6, 2.5e9, 1e12, 1e15, 1e32)]
    ['0', '1', '1,200', '100,000', '1 million', '2.5 billion', '1 trillion', '1e15', '1e32']
    """
    for name, scale in (("trillion", 1e12), ("billion", 1e9), ("million", 1e6)):
        if scale <= abs(value) < 1000 * scale:
            return f"{value / scale:g} {name}"
    if abs(value) >= 1e15:
        mantissa, exponent = f"{value:e}".split("e")
        return f"{float(mantissa):g}e{int(exponent)}"
    if value == int(value) and abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:g}"


def _describe(value: Any) -> str:
    """What a wrong value is, in the words of a JSON file's author."""
    if isinstance(value, str):
        return _truncated_repr(value)
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if value is None:
        return "null"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return _truncated_repr(value)


def _alternatives(words: list[str]) -> str:
    """``"a, b or c"``."""
    quoted = [f'"{word}"' for word in words]
    return " or ".join([", ".join(quoted[:-1]), quoted[-1]]) if len(quoted) > 1 else "".join(quoted)


def _locate(model: type[BaseModel], loc: tuple[str | int, ...]) -> tuple[str, FieldInfo | None, Any]:
    """Follow a pydantic error location through the model's annotations.

    Returns the user-facing path (``"chips[2].tdp_w"``; the discriminator tag that
    pydantic inserts into the location of a tagged-union member is dropped), the
    field found at the end (``None`` below a list or dict item) and its annotation.
    """
    path = ""
    field: FieldInfo | None = None
    annotation: Any = model
    for item in loc:
        annotation = _without_none(annotation)
        if isinstance(item, int):
            path += f"[{item}]"
            field, annotation = None, _item_annotation(annotation, list)
        elif _is_model(annotation) and item in annotation.model_fields:
            path += f".{item}" if path else item
            field = annotation.model_fields[item]
            annotation = field.annotation
        elif _union_members(annotation) and item in _union_tags(annotation):
            field, annotation = None, _union_tags(annotation)[item]
        else:
            path += f".{item}" if path else str(item)
            field, annotation = None, _item_annotation(annotation, dict)
    return path, field, annotation


def _without_none(annotation: Any) -> Any:
    """``X`` for ``Optional[X]``, else the annotation unchanged."""
    if typing.get_origin(annotation) in (Union, types.UnionType):
        members = [member for member in typing.get_args(annotation) if member is not type(None)]
        if len(members) == 1:
            return members[0]
    return annotation


def _item_annotation(annotation: Any, container: type) -> Any:
    """The item annotation of ``list[X]`` or the value annotation of ``dict[K, X]``."""
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) is container:
        return typing.get_args(annotation)[-1]
    return None


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _union_members(annotation: Any) -> tuple[Any, ...]:
    """The members of a (possibly ``Annotated``) union of models, else ``()``."""
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (Union, types.UnionType):
        return tuple(member for member in typing.get_args(annotation) if _is_model(member))
    return ()


def _union_tags(annotation: Any) -> dict[str, type[BaseModel]]:
    """Tag value -> member model, for a union of models tagged by a ``Literal`` field."""
    tags: dict[str, type[BaseModel]] = {}
    for member in _union_members(annotation):
        for member_field in member.model_fields.values():
            if typing.get_origin(member_field.annotation) is Literal:
                tags.update(dict.fromkeys(typing.get_args(member_field.annotation), member))
    return tags
