#!/usr/bin/env python3
"""Runs the fixture corpus through Python's jsonschema package (draft 2020-12).

The schema files are served by their $id from a referencing.Registry, so
nothing is fetched; format assertion is on (date-time is checked by the
rfc3339-validator package, which jsonschema uses when it is installed, and
this runner refuses to run without it).

Payloads are parsed the careful way (the default), which is what
docs/CLIENTS.md recommends:

  - the bytes are decoded as strict UTF-8 first, so invalid UTF-8 (and
    UTF-8-encoded surrogates) is an error and a byte order mark stays in the
    text, where json.loads rejects it;
  - NaN, Infinity and -Infinity are errors (json.loads accepts them);
  - numbers with a fraction or an exponent become decimal.Decimal, so they
    are compared exactly as written (100.00000000000000001 > 100), and the
    type "integer" accepts an integral Decimal such as 2.0 or 1e2, as JSON
    Schema says; integers without a fraction are Python ints, exact anyway.

With --plain, the payload goes through plain json.loads(payload_bytes)
instead, as most code does; docs/COMPATIBILITY.md lists what that gets wrong,
and conformance/known_differences.json pins it. With --bundle FILE, the
schemas come from the single-file bundle instead of the separate files. With
--no-pattern, every "pattern" keyword is removed from the schemas, and only
the schemas that had one are run: it shows what format "date-time" alone
decides (docs/COMPATIBILITY.md explains why the schemas add a pattern).

A payload that cannot be parsed is invalid with the keyword "json" at "".
Output: one JSON line per fixture (see corpus.py).
"""

import decimal
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import corpus  # noqa: E402

from jsonschema import Draft202012Validator, validators  # noqa: E402
from referencing import Registry, Resource  # noqa: E402


def _is_integer(checker, instance):
    if isinstance(instance, decimal.Decimal):
        return instance.is_finite() and instance == instance.to_integral_value()
    return Draft202012Validator.TYPE_CHECKER.is_type(instance, "integer")


# Draft 2020-12 with "integer" extended to integral Decimals; everything else
# (keywords, format checker, meta-schema) is Draft202012Validator's.
ExactValidator = validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
)
# A $ref into a resource that declares "$schema" is validated by the class
# that validator_for() finds for that meta-schema, not by the class that
# started (python-jsonschema issue #994): without this, retry_history items
# (retry_info.schema.json) would be checked with the stock "integer" and
# reject an attempt of 2.0. Registering ExactValidator for the 2020-12
# meta-schema keeps it across every $ref, in this process only (the
# workaround given in that issue).
def _keep_exact_across_refs():
    validators.validates(Draft202012Validator.META_SCHEMA["$id"])(ExactValidator)


def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def parse_exact(data):
    text = data.decode("utf-8")  # strict: raises on invalid UTF-8
    return json.loads(text, parse_float=decimal.Decimal, parse_constant=_reject_constant)


def parse_plain(data):
    return json.loads(data)


def _check_format_support():
    try:
        import rfc3339_validator  # noqa: F401
    except ImportError:
        sys.exit("run_jsonschema.py: the rfc3339-validator package is not installed, "
                 "so jsonschema would not check format date-time; install it")


def drop_patterns(node):
    """Removes every "pattern" keyword from a schema; reports whether it did."""
    found = False
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            del node["pattern"]
            found = True
        for v in node.values():
            found = drop_patterns(v) or found
    elif isinstance(node, list):
        for v in node:
            found = drop_patterns(v) or found
    return found


def load_validators(schema_dir, bundle, validator_class, no_pattern=False):
    """Returns {stem: validator}, from the separate files or from the bundle."""
    checker = Draft202012Validator.FORMAT_CHECKER
    out = {}
    if bundle is None:
        schemas = {p.name[: -len(".schema.json")]: json.loads(p.read_text("utf-8"))
                   for p in sorted(schema_dir.glob("*.schema.json"))}
        with_pattern = {stem for stem, s in schemas.items() if drop_patterns(s)} if no_pattern else set(schemas)
        registry = Registry().with_resources(
            (s["$id"], Resource.from_contents(s)) for s in schemas.values())
        for stem, s in schemas.items():
            validator_class.check_schema(s)
            if stem in with_pattern:
                out[stem] = validator_class(s, registry=registry, format_checker=checker)
        return out
    b = json.loads(bundle.read_text("utf-8"))
    validator_class.check_schema(b)
    registry = Registry().with_resource(b["$id"], Resource.from_contents(b))
    # The bundle's $defs are keyed by title; the corpus by file stem.
    for p in sorted(schema_dir.glob("*.schema.json")):
        title = json.loads(p.read_text("utf-8"))["title"]
        ref = {"$ref": f"{b['$id']}#/$defs/{title}"}
        out[p.name[: -len(".schema.json")]] = validator_class(ref, registry=registry, format_checker=checker)
    return out


def violations_of(validator, instance):
    found = []

    def walk(err):
        path = corpus.pointer(err.absolute_path)
        if err.validator == "required":
            missing = [k for k in err.validator_value if isinstance(err.instance, dict) and k not in err.instance]
            for k in missing:
                found.append((path + corpus.pointer([k]), "required"))
            return
        if err.validator in ("anyOf", "oneOf") and err.context:
            found.append((path, err.validator))
            for sub in err.context:
                walk(sub)
            return
        found.append((path, err.validator))

    errors = list(validator.iter_errors(instance))
    for err in errors:
        walk(err)
    return not errors, corpus.leaves(found)


def main():
    args = corpus.arguments(__doc__.splitlines()[0], lambda p: (
        p.add_argument("--bundle", type=pathlib.Path, default=None,
                       help="validate with this single-file bundle instead of the separate schema files"),
        p.add_argument("--plain", action="store_true",
                       help="parse with plain json.loads(payload_bytes) (floats, NaN allowed)"),
        p.add_argument("--no-pattern", action="store_true",
                       help="remove every pattern keyword and run only the schemas that had one"),
    ))
    if args.no_pattern and args.bundle:
        sys.exit("run_jsonschema.py: --no-pattern works with the separate schema files only")
    _check_format_support()
    runner = ("jsonschema" + ("-plain" if args.plain else "") + ("-bundle" if args.bundle else "")
              + ("-no-pattern" if args.no_pattern else ""))
    validator_class = Draft202012Validator if args.plain else ExactValidator
    if not args.plain:
        _keep_exact_across_refs()
    parse = parse_plain if args.plain else parse_exact
    by_stem = load_validators(args.schemas, args.bundle, validator_class, args.no_pattern)
    for stem, rel, data in corpus.fixtures(args.tests):
        if corpus.is_limit(rel):
            corpus.emit(runner, stem, rel, skipped=corpus.LIMIT_REASON)
            continue
        if stem not in by_stem:
            why = f"{stem} has no pattern" if args.no_pattern else f"no schema {stem}"
            corpus.emit(runner, stem, rel, skipped=why)
            continue
        try:
            instance = parse(data)
        except (ValueError, UnicodeDecodeError, RecursionError):
            corpus.emit(runner, stem, rel, valid=False, violations=[{"instancePath": "", "keyword": "json"}])
            continue
        valid, vs = violations_of(by_stem[stem], instance)
        corpus.emit(runner, stem, rel, valid=valid, violations=vs)


if __name__ == "__main__":
    main()
