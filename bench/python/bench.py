#!/usr/bin/env python3
"""The pydantic column of the cross-language comparison (bench/compare.sh,
docs/PERFORMANCE.md).

Times pydantic's model_validate_json, in its default (lax) mode, on the
payload files of testdata/bench/ with the reference models of conformance/python/reference_models.py, and
prints one JSON line per payload with the nanoseconds per call of each
repetition:

    {"runtime": "pydantic", "model": "task_info", "payload": "valid", "ns": [...]}

task_status is an Enum, not a model, so it goes through
TypeAdapter(TaskStatus).validate_json, the same pydantic-core path. The seed
defines no RetryInfo, so retry_info is printed with "skip" and the reason.

Each repetition is one timed loop of many calls, sized to take about
--target-ms; the loop is calibrated (and warmed up) first. Before timing,
each payload's verdict is checked: the valid one must validate, and the
invalid one must raise a ValidationError at exactly the instance paths of
expected_invalid.json (pydantic names the keywords differently). An invalid
payload is timed for the full call: validation, raising and catching the
ValidationError (which holds every error; its .errors() list of dicts is built
only when asked for, and is not part of the timing).

Usage (from the repository root):

    python3 bench/python/bench.py [--dir testdata/bench] [--reps 5] [--target-ms 50]
"""

import argparse
import json
import pathlib
import platform
import sys
import time

# The pydantic models of the original specification are the conformance
# suite's reference models: one copy for both.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "conformance" / "python"))

import pydantic  # noqa: E402
import pydantic_core  # noqa: E402
from pydantic import TypeAdapter, ValidationError  # noqa: E402

import reference_models as seed_models  # noqa: E402

STEMS = ["task_status", "task_progress", "retry_info", "task_info", "async_task_response"]

VALIDATORS = {
    "task_status": TypeAdapter(seed_models.TaskStatus).validate_json,
    "task_progress": seed_models.TaskProgress.model_validate_json,
    "task_info": seed_models.TaskInfo.model_validate_json,
    "async_task_response": seed_models.AsyncTaskResponse.model_validate_json,
}

SKIPPED = {
    "retry_info": "the seed defines no RetryInfo model",
}


def pointer(loc):
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in loc)


def emit(line):
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def check(validate, data, valid, want):
    """Raises AssertionError unless the verdict is the expected one."""
    try:
        validate(data)
    except ValidationError as e:
        if valid:
            raise AssertionError(f"the valid payload is rejected: {e}") from None
        got = sorted({pointer(err["loc"]) for err in e.errors()})
        if got != want:
            raise AssertionError(f"errors at {got}, want at {want}: {e}") from None
        return
    if not valid:
        raise AssertionError("the invalid payload is accepted")


def loop_valid(validate, data, n):
    start = time.perf_counter_ns()
    for _ in range(n):
        validate(data)
    return time.perf_counter_ns() - start


def loop_invalid(validate, data, n):
    start = time.perf_counter_ns()
    for _ in range(n):
        try:
            validate(data)
        except ValidationError:
            pass
        else:
            raise AssertionError("the invalid payload is accepted")
    return time.perf_counter_ns() - start


def measure(loop, validate, data, reps, target_ns):
    n = 1
    while True:
        d = loop(validate, data, n)
        if d >= target_ns / 4:
            n = max(1, int(n * target_ns / d))
            break
        n *= 2
    return [loop(validate, data, n) / n for _ in range(reps)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=pathlib.Path, default=pathlib.Path("testdata/bench"))
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--target-ms", type=float, default=50)
    args = parser.parse_args()

    manifest = json.loads((args.dir / "expected_invalid.json").read_text())
    emit({"runtime": "pydantic",
          "version": f"pydantic {pydantic.VERSION} (pydantic-core {pydantic_core.__version__}), "
                     f"{platform.python_implementation()} {platform.python_version()}"})
    for stem in STEMS:
        if stem in SKIPPED:
            emit({"runtime": "pydantic", "model": stem, "skip": SKIPPED[stem]})
            continue
        validate = VALIDATORS[stem]
        want = sorted({v["instancePath"] for v in manifest[stem]["violations"]})
        for kind in ("valid", "invalid"):
            data = (args.dir / f"{stem}.{kind}.json").read_bytes()
            valid = kind == "valid"
            try:
                check(validate, data, valid, want)
            except AssertionError as e:
                sys.exit(f"pydantic: {stem}.{kind}.json: {e}")
            loop = loop_valid if valid else loop_invalid
            ns = measure(loop, validate, data, args.reps, args.target_ms * 1e6)
            emit({"runtime": "pydantic", "model": stem, "payload": kind, "ns": ns})


if __name__ == "__main__":
    main()
