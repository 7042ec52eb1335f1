"""taskschema: pydantic v2 models of the taskschema JSON Schemas.

The models in taskschema.models are generated (by taskschema's gen, from the
same schema model as the Go library); the schema files ship in
taskschema/schema/. Validate a payload with the model, or by the schema's
stem:

    from taskschema import TaskInfo, validate_json, violations
    info = TaskInfo.model_validate_json(data)
    info = validate_json("task_info", data)

A rejected payload raises pydantic.ValidationError; violations(err) gives
its JSON Pointers and JSON Schema keywords, as the Go library reports them.
"""

import json
import pathlib
from dataclasses import dataclass
from enum import Enum
from typing import Any, List, Union

from pydantic import BaseModel, TypeAdapter, ValidationError

from . import models
from .models import *  # noqa: F401,F403
from .models import MODELS

__version__ = "0.1.0"

SCHEMA_DIR = pathlib.Path(__file__).resolve().parent / "schema"

# pydantic's error types as JSON Schema keywords, where one matches.
_KEYWORDS = {
    "json_invalid": "json",
    "json_type": "json",
    "missing": "required",
    "greater_than_equal": "minimum",
    "less_than_equal": "maximum",
    "enum": "enum",
    "literal_error": "const",
    "finite_number": "type",
    "string_pattern_mismatch": "pattern",
    "datetime_parsing": "format",
    "datetime_from_date_parsing": "format",
    "datetime_object_invalid": "format",
    "timezone_aware": "format",
}


@dataclass(frozen=True)
class Violation:
    """One reason a payload was rejected: where (a JSON Pointer), which
    schema keyword, and pydantic's message."""

    instance_path: str
    keyword: str
    message: str


def keyword(error_type: str) -> str:
    """The JSON Schema keyword of a pydantic error type."""
    if error_type in _KEYWORDS:
        return _KEYWORDS[error_type]
    if error_type.endswith("_type") or error_type.endswith("_parsing"):
        return "type"
    return error_type


def _pointer(loc) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in loc)


def violations(err: ValidationError) -> List[Violation]:
    """The violations of a ValidationError, one per failing location and
    keyword, sorted by pointer."""
    out = {}
    for e in err.errors():
        v = Violation(_pointer(e["loc"]), keyword(e["type"]), e["msg"])
        out.setdefault((v.instance_path, v.keyword), v)
    return [out[k] for k in sorted(out)]


def model_for(stem: str):
    """The model (or enum) of a schema stem, such as "task_info"."""
    try:
        return MODELS[stem]
    except KeyError:
        raise KeyError(f"no schema {stem!r}; the stems are {sorted(MODELS)}") from None


def _refuse_duplicates(pairs):
    seen = set()
    for k, _ in pairs:
        if k in seen:
            raise ValueError(f"duplicate key {k!r} in an object")
        seen.add(k)
    return None


def _refuse_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def _strict_json(m, data):
    """Raises a ValidationError of type json_invalid for what the Go library
    refuses as JSON and pydantic's parser takes: a duplicate key (pydantic
    keeps the last), NaN and Infinity."""
    try:
        json.loads(data, object_pairs_hook=_refuse_duplicates, parse_constant=_refuse_constant)
    except ValueError as e:
        title = getattr(m, "__name__", str(m))
        raise ValidationError.from_exception_data(
            title, [{"type": "json_invalid", "loc": (), "input": "", "ctx": {"error": str(e)}}]) from None


def validate_json(stem: str, data: Union[str, bytes]) -> Any:
    """Validates a JSON payload against the schema stem and returns the model
    instance (or the enum member); raises pydantic.ValidationError.

    Besides the model's model_validate_json(data, strict=True) it refuses,
    as the Go library does, duplicate keys and the literals NaN and Infinity
    (one more pass of json.loads)."""
    m = model_for(stem)
    _strict_json(m, data)
    if isinstance(m, type) and issubclass(m, BaseModel):
        return m.model_validate_json(data, strict=True)
    return _adapter(m).validate_json(data, strict=True)


_adapters = {}


def _adapter(m):
    if m not in _adapters:
        _adapters[m] = TypeAdapter(m)
    return _adapters[m]


def schema(stem: str) -> dict:
    """The JSON Schema of a stem, from the files shipped in the package."""
    return json.loads((SCHEMA_DIR / f"{stem}.schema.json").read_text(encoding="utf-8"))


__all__ = list(models.__all__) + ["Violation", "violations", "validate_json", "model_for", "schema", "keyword", "SCHEMA_DIR"]
del Enum
