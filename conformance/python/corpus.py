"""The fixture corpus under tests/, as the Python runners read it.

Each runner prints one JSON object per line and per fixture:

    {"runner": ..., "schema": "task_info", "file": "task_info/invalid/x.json",
     "valid": false, "violations": [{"instancePath": "/x", "keyword": "type"}]}

or, for a fixture it does not judge, "skipped" with the reason instead of
"valid" and "violations". "file" is relative to the corpus directory.
"""

import argparse
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]

# Fixtures named limit_* test the Go library's payload limits
# (models.DefaultLimits), which are not part of the JSON Schemas
# (tests/README.md): every runner but Go skips them.
LIMIT_PREFIX = "limit_"
LIMIT_REASON = "limit_* fixtures test the Go library's payload limits, which are not part of the schemas"


def arguments(description, extra=None):
    """Parses the options that every Python runner takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--tests", type=pathlib.Path, default=ROOT / "tests",
                        help="the corpus directory (default: tests/ of this repository)")
    parser.add_argument("--schemas", type=pathlib.Path, default=ROOT / "schema",
                        help="the directory of the *.schema.json files (default: schema/)")
    if extra:
        extra(parser)
    return parser.parse_args()


def fixtures(tests_dir):
    """Yields (stem, relative file name, payload bytes) for every fixture,
    sorted by stem, validity and file name."""
    for stem_dir in sorted(p for p in tests_dir.iterdir() if p.is_dir()):
        for validity in ("valid", "invalid"):
            d = stem_dir / validity
            if not d.is_dir():
                continue
            for f in sorted(d.glob("*.json")):
                yield stem_dir.name, f"{stem_dir.name}/{validity}/{f.name}", f.read_bytes()


def is_limit(rel):
    return pathlib.PurePosixPath(rel).name.startswith(LIMIT_PREFIX)


def pointer(parts):
    """The JSON Pointer (RFC 6901) of a path of keys and indexes."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def leaves(violations):
    """Reduces violations to the leaf ones, as tests/README.md describes:
    no "anyOf" entry, and no "type" at a pointer that has violations below it
    (the object branch of a nullable object matched; its members failed)."""
    out = set()
    pointers = {v[0] for v in violations}
    for path, keyword in violations:
        if keyword == "anyOf":
            continue
        if keyword == "type" and any(p.startswith(path + "/") for p in pointers):
            continue
        out.add((path, keyword))
    return [{"instancePath": p, "keyword": k} for p, k in sorted(out)]


def emit(runner, stem, rel, valid=None, violations=None, skipped=None):
    line = {"runner": runner, "schema": stem, "file": rel}
    if skipped is not None:
        line["skipped"] = skipped
    else:
        line["valid"] = valid
        line["violations"] = violations or []
    sys.stdout.write(json.dumps(line, ensure_ascii=True) + "\n")
