#!/usr/bin/env python3
"""Validate a JSON payload with the taskschema bundle (docs/CLIENTS.md).

usage: python3 validate.py BUNDLE TITLE PAYLOAD
  e.g. python3 docs/snippets/validate.py schema/taskschema.bundle.json TaskInfo examples/task_info.json

Prints "valid", or one line per violation (JSON Pointer, keyword, message),
and exits with 0 when the payload is valid and 1 when it is not. Needs the
jsonschema package with rfc3339-validator (for format "date-time").
"""

import decimal
import json
import sys

from jsonschema import Draft202012Validator, FormatChecker, validators
from referencing import Registry, Resource
from rfc3339_validator import validate_rfc3339


# JSON Schema's "integer" is any number with a zero fraction: 2.0 and 1e2 too.
def is_integer(checker, instance):
    if isinstance(instance, decimal.Decimal):
        return instance.is_finite() and instance == instance.to_integral_value()
    return Draft202012Validator.TYPE_CHECKER.is_type(instance, "integer")


Validator = validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", is_integer),
)

# The stock date-time check, but without Python's "$" matching before a
# trailing newline ("2025-01-15T10:30:00Z\n" is not a date-time).
formats = FormatChecker()


@formats.checks("date-time")
def is_date_time(value):
    return not isinstance(value, str) or ("\n" not in value and validate_rfc3339(value.upper()))


def reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def parse(data: bytes):
    # Strict UTF-8 (a byte order mark stays and is refused), numbers exactly as
    # written (Decimal, not float), no NaN or Infinity.
    return json.loads(data.decode("utf-8"), parse_float=decimal.Decimal, parse_constant=reject_constant)


def main(bundle_path, title, payload_path):
    with open(bundle_path, encoding="utf-8") as f:
        bundle = json.load(f)
    registry = Registry().with_resource(bundle["$id"], Resource.from_contents(bundle))
    validator = Validator({"$ref": f"{bundle['$id']}#/$defs/{title}"}, registry=registry, format_checker=formats)

    with open(payload_path, "rb") as f:
        data = f.read()
    try:
        payload = parse(data)
    except ValueError as e:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        print(f"(root) json: not one JSON value in UTF-8: {e}")
        return 1
    errors = sorted(validator.iter_errors(payload), key=lambda e: [str(p) for p in e.absolute_path])
    for e in errors:
        pointer = "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in e.absolute_path) or "(root)"
        print(f"{pointer} {e.validator}: {e.message}")
    if errors:
        return 1
    print("valid")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
