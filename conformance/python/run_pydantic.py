#!/usr/bin/env python3
"""Runs the fixture corpus through the Python reference models.

Each payload's bytes go to model_validate_json(data, strict=True) of the
model in reference_models.py (for task_status, a TypeAdapter of the enum's
validate_json with strict=True). A schema without a reference model
(retry_info: the seed defines no RetryInfo) is skipped, and so are the
limit_* fixtures; each skipped fixture is printed with "skipped" and the
reason. pydantic's error types are mapped to JSON Schema keywords where one
matches (missing -> required, greater_than_equal -> minimum, *_type -> type,
json_invalid -> json, ...); others are printed as pydantic names them.

Output: one JSON line per fixture (see corpus.py).
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import corpus  # noqa: E402
import reference_models  # noqa: E402

from pydantic import BaseModel, TypeAdapter, ValidationError  # noqa: E402

RUNNER = "pydantic"

KEYWORDS = {
    "json_invalid": "json",
    "json_type": "json",
    "missing": "required",
    "greater_than_equal": "minimum",
    "less_than_equal": "maximum",
    "greater_than": "exclusiveMinimum",
    "less_than": "exclusiveMaximum",
    "enum": "enum",
    "finite_number": "type",
}


def keyword(error_type):
    if error_type in KEYWORDS:
        return KEYWORDS[error_type]
    if error_type.endswith("_type") or error_type.endswith("_parsing"):
        return "type"
    return error_type


def validators():
    out = {}
    for stem, model in reference_models.MODELS.items():
        if isinstance(model, type) and issubclass(model, BaseModel):
            out[stem] = lambda data, m=model: m.model_validate_json(data, strict=True)
        else:
            adapter = TypeAdapter(model)
            out[stem] = lambda data, a=adapter: a.validate_json(data, strict=True)
    return out


def main():
    args = corpus.arguments(__doc__.splitlines()[0])
    by_stem = validators()
    for stem, rel, data in corpus.fixtures(args.tests):
        if stem not in by_stem:
            corpus.emit(RUNNER, stem, rel,
                        skipped=f"no reference model for {stem}: the seed's model definitions have none")
            continue
        if corpus.is_limit(rel):
            corpus.emit(RUNNER, stem, rel, skipped=corpus.LIMIT_REASON)
            continue
        try:
            by_stem[stem](data)
        except ValidationError as e:
            found = [(corpus.pointer(err["loc"]), keyword(err["type"])) for err in e.errors()]
            corpus.emit(RUNNER, stem, rel, valid=False, violations=corpus.leaves(found))
            continue
        corpus.emit(RUNNER, stem, rel, valid=True)


if __name__ == "__main__":
    main()
