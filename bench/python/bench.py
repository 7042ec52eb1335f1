#!/usr/bin/env python3
"""The pydantic column of the cross-language comparison (bench/compare.sh,
docs/PERFORMANCE.md).

Times pydantic's model_validate_json, in its default (lax) mode, on the
bytes of the payload files of testdata/bench/ with the reference models of
conformance/python/reference_models.py. task_status is an Enum, not a model,
so it goes through TypeAdapter(TaskStatus).validate_json, the same
pydantic-core path. The seed defines no RetryInfo, so retry_info is skipped.

It speaks the runner protocol of bench/compare.go. At start it checks each
payload's verdict: the valid one must validate, and the invalid one must raise
a ValidationError at exactly the instance paths of expected_invalid.json
(pydantic names the keywords differently). Then it prints its version, a skip
line for retry_info and {"ready": true}, and reads one command per line from
stdin,

    {"runtime": "pydantic", "model": "task_info", "payload": "valid", "target_ns": 20000000}

answering each with {"ns": <nanoseconds per call>} for one timed loop of calls
that lasts at least target_ns (see timed; the first command for a payload
runs one such loop untimed first, to warm up), or {"error": "..."}. It stops
at the end of stdin.

An invalid payload is timed for the full call: validation, raising and
catching the ValidationError (which holds every error; its .errors() list of
dicts is built only when asked for, and is not part of the timing).

Usage (from the repository root; bench/compare.sh does this):

    go run bench/compare.go -- "python3 bench/python/bench.py --dir testdata/bench"
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

# The generated models of the Python package (clients/python), the runtime
# "pydantic-gen": each model's model_validate_json(data, strict=True), or the
# enum's TypeAdapter.validate_json(data, strict=True), on every schema.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "clients" / "python" / "src"))
try:
    import taskschema  # noqa: E402
except ImportError:  # pragma: no cover - the column is then skipped
    taskschema = None


def generated_validators():
    out = {}
    if taskschema is None:
        return out
    for stem, m in taskschema.MODELS.items():
        if isinstance(m, type) and issubclass(m, pydantic.BaseModel):
            out[stem] = lambda data, m=m: m.model_validate_json(data, strict=True)
        else:
            out[stem] = lambda data, a=TypeAdapter(m): a.validate_json(data, strict=True)
    return out

VALIDATORS = {
    "task_status": TypeAdapter(seed_models.TaskStatus).validate_json,
    "task_progress": seed_models.TaskProgress.model_validate_json,
    "task_info": seed_models.TaskInfo.model_validate_json,
    "async_task_response": seed_models.AsyncTaskResponse.model_validate_json,
}

SKIPPED = {
    "retry_info": "the seed defines no RetryInfo model",
    "response_format": "the seed defines no response format model",
    "expected_schema": "the seed defines no ExpectedSchema model",
    "minimal_task_response": "the seed defines no model of the views of AsyncTaskResponse",
    "standard_task_response": "the seed defines no model of the views of AsyncTaskResponse",
    "full_task_response": "the seed defines no model of the views of AsyncTaskResponse",
    "async_task_page": "the seed defines no page of tasks",
    "mcp_task_status": "the seed defines no MCP Tasks models",
    "mcp_task": "the seed defines no MCP Tasks models",
    "mcp_create_task_result": "the seed defines no MCP Tasks models",
    "mcp_list_tasks_result": "the seed defines no MCP Tasks models",
}


def pointer(loc):
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in loc)


def emit(line):
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def check(validate, data, valid, want, generated=False):
    """Raises AssertionError unless the verdict is the expected one."""
    try:
        validate(data)
    except ValidationError as e:
        if valid:
            raise AssertionError(f"the valid payload is rejected: {e}") from None
        if generated:
            got = sorted({v.instance_path for v in taskschema.violations(e)})
        else:
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


def timed(loop, validate, data, target_ns):
    """Runs calls until at least target_ns has passed; the ns per call.

    The clock is read after chunks of calls that double in size until they
    take about a sixteenth of target_ns, so that a loop never ends early and
    a pause of the process adds at most its own length to target_ns of work.
    """
    calls, chunk, elapsed = 0, 1, 0
    while elapsed < target_ns:
        elapsed += loop(validate, data, chunk)
        calls += chunk
        if elapsed < target_ns / 16:
            chunk *= 2
    return elapsed / calls


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=pathlib.Path, default=pathlib.Path("testdata/bench"))
    args = parser.parse_args()

    manifest = json.loads((args.dir / "expected_invalid.json").read_text())
    jobs = {}
    # The payloads are those of the manifest; each needs a validator or a
    # reason to skip it.
    for stem in manifest:
        if stem in SKIPPED:
            continue
        if stem not in VALIDATORS:
            sys.exit(f"pydantic: no reference model for {stem}: add it to VALIDATORS or SKIPPED in {__file__}")
        validate = VALIDATORS[stem]
        want = sorted({v["instancePath"] for v in manifest[stem]["violations"]})
        for kind in ("valid", "invalid"):
            data = (args.dir / f"{stem}.{kind}.json").read_bytes()
            valid = kind == "valid"
            try:
                check(validate, data, valid, want)
            except AssertionError as e:
                sys.exit(f"pydantic: {stem}.{kind}.json: {e}")
            jobs[("pydantic", stem, kind)] = [loop_valid if valid else loop_invalid, validate, data, False]
    generated = generated_validators()
    for stem in manifest:
        if stem not in generated:
            continue
        want = sorted({v["instancePath"] for v in manifest[stem]["violations"]})
        for kind in ("valid", "invalid"):
            data = (args.dir / f"{stem}.{kind}.json").read_bytes()
            valid = kind == "valid"
            try:
                check(generated[stem], data, valid, want, generated=True)
            except AssertionError as e:
                sys.exit(f"pydantic-gen: {stem}.{kind}.json: {e}")
            jobs[("pydantic-gen", stem, kind)] = [loop_valid if valid else loop_invalid, generated[stem], data, False]

    emit({"runtime": "pydantic",
          "version": f"pydantic {pydantic.VERSION} (pydantic-core {pydantic_core.__version__}), "
                     f"{platform.python_implementation()} {platform.python_version()}"})
    for stem, reason in SKIPPED.items():
        emit({"runtime": "pydantic", "model": stem, "skip": reason})
    if generated:
        emit({"runtime": "pydantic-gen",
              "version": f"taskschema {taskschema.__version__} generated models, strict, pydantic {pydantic.VERSION}"})
    emit({"ready": True})

    for text in sys.stdin:
        try:
            c = json.loads(text)
            job = jobs.get((c["runtime"], c["model"], c["payload"]))
            if job is None:
                emit({"error": f"no {c['runtime']} runner for {c['model']}.{c['payload']}.json"})
                continue
            loop, validate, data, warmed = job
            if not warmed:
                job[3] = True
                timed(loop, validate, data, c["target_ns"])
            emit({"ns": timed(loop, validate, data, c["target_ns"])})
        except (ValueError, KeyError, AssertionError) as e:
            emit({"error": f"{text.strip()}: {e!r}"})


if __name__ == "__main__":
    main()
