#!/usr/bin/env python3
"""Writes the corpus fixtures tests/<stem>/valid/python_*.json: payloads
shaped exactly as mcp-refcache, the Python implementation, puts them on the
wire, made here with pydantic itself rather than written by hand.

mcp-refcache's own source is not a dependency of this repository, so its
models are restated below: the task definition's models
(reference_models.py), plus what the project added later and this
repository's schemas describe: RetryInfo and TaskInfo.retry_history,
AsyncTaskResponse.message. The shapes produced are:

  - model_dump_json() of TaskProgress, RetryInfo, TaskInfo and
    AsyncTaskResponse: compact, no final newline, every null written out,
    floats as pydantic writes them (33.333333333333336, 0.00001, 1e-7), and
    non-ASCII text as raw UTF-8; also model_dump_json(indent=2);
  - AsyncTaskResponse.started_at from datetime.isoformat() of an aware
    datetime: "+00:00" (never "Z"), microseconds only when non-zero, other
    offsets such as "-05:00" and "+05:30";
  - the three views of AsyncTaskResponse.to_dict(response_format) (the
    schemas minimal_task_response, standard_task_response and
    full_task_response): minimal {ref_id, status, is_complete: false,
    is_async: true}; standard adds started_at, progress and message; full
    adds eta_seconds, error, retry_count, can_retry and expected_schema, the
    model_dump() of mcp-refcache's ExpectedSchema (return_type, fields,
    example, description) or null;
  - the async_timeout decorator's wire dicts: model_dump(mode="json") of the
    response plus "is_async": true, "is_complete": false and, in the "full"
    response format, "expected_schema" (the JSON Schema of the tool's return
    type, as pydantic's TypeAdapter writes it), serialized the two ways a
    server does: pydantic_core.to_json (compact, raw UTF-8) and json.dumps
    (", " and ": " separators, \\u escapes, floats as repr() writes them:
    1e-13, 1234567880630492.0).

Every payload must be valid in every runner (Go, jsonschema, ajv and the
reference models): tests/conformance_test.go allows no known difference on a
python_* fixture. None uses the status "cancelled", which the reference
models do not know.

usage: python3 gen_python_payloads.py [--check] [--tests DIR]
With --check, it writes nothing and exits 1 if a committed file differs from
what it would write, or if a python_* file exists that it would not write.
"""

import argparse
import json
import pathlib
import sys
from datetime import datetime, timedelta, timezone

import pydantic_core
from pydantic import BaseModel, Field, TypeAdapter

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import reference_models as ref  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]


class RetryInfo(BaseModel):
    """One failed attempt (added to mcp-refcache after the task definition)."""

    attempt: int = Field(ge=1, description="Attempt number that failed")
    error: str = Field(description="Error message of the failed attempt")
    timestamp: float = Field(description="Unix timestamp of the failure")


class TaskInfo(ref.TaskInfo):
    retry_history: list[RetryInfo] = Field(default_factory=list, description="Failed attempts, oldest first")


class AsyncTaskResponse(ref.AsyncTaskResponse):
    message: str | None = Field(default=None, description="Human-readable status message")


class ExpectedSchema(BaseModel):
    """The shape of a result to come, as mcp-refcache's full view sends it."""

    return_type: str | None = None
    fields: dict[str, str] | None = None
    example: object | None = None
    description: str | None = None


def view(resp, fmt, expected=None):
    """AsyncTaskResponse.to_dict(response_format) restated: the keys of
    each view in the order mcp-refcache writes them."""
    d = {"ref_id": resp.ref_id, "status": resp.status.value, "is_complete": False, "is_async": True}
    if fmt == "minimal":
        return d
    d["started_at"] = resp.started_at
    d["progress"] = resp.progress.model_dump() if resp.progress else None
    d["message"] = resp.message
    if fmt == "standard":
        return d
    d["eta_seconds"] = resp.eta_seconds
    d["error"] = resp.error
    d["retry_count"] = resp.retry_count
    d["can_retry"] = resp.can_retry
    d["expected_schema"] = expected.model_dump() if expected else None
    return d


S = ref.TaskStatus
# 2025-01-15 10:30:00.123456 UTC, as time.time() would give it.
T0 = 1736937000.123456
UTC = timezone.utc


def iso(ts, tz=UTC):
    return datetime.fromtimestamp(ts, tz=tz).isoformat()


def progress(current, total, message=None):
    pct = 100 * current / total if total else None
    return ref.TaskProgress(current=current, total=total, message=message, percentage=pct)


def eta(task, now):
    """mcp-refcache's ETA: remaining items over the observed rate."""
    p = task.progress
    if p is None or not p.current or p.total is None:
        return None
    rate = p.current / (now - task.started_at)
    return (p.total - p.current) / rate


def response(task, now, tz=UTC, message=None):
    return AsyncTaskResponse(
        ref_id=task.ref_id,
        status=task.status,
        progress=task.progress,
        started_at=iso(task.started_at, tz),
        eta_seconds=eta(task, now),
        error=task.error,
        retry_count=task.retry_count,
        can_retry=task.retry_count < task.max_retries,
        message=message,
    )


def wire(resp, expected_schema=None):
    d = resp.model_dump(mode="json")
    d["is_async"] = True
    d["is_complete"] = False
    if expected_schema is not None:
        d["expected_schema"] = expected_schema
    return d


def payloads():
    """Yields (stem, case name, bytes)."""
    ref_id = "refcache:semantic_search:7f3a9c2e"
    new = TaskInfo(ref_id=ref_id, started_at=T0)
    processing = TaskInfo(ref_id=ref_id, status=S.PROCESSING, started_at=T0,
                          progress=progress(42, 120, "Embedding transcript 42 of 120"))
    third = TaskInfo(ref_id=ref_id, status=S.PROCESSING, started_at=T0,
                     progress=progress(1, 3, "Verarbeite Eintrag 1 von 3 – ca. ½ Minute"))
    history = [RetryInfo(attempt=i, error="TimeoutError: upstream did not answer in 30.0s",
                         timestamp=T0 + 30.000001 * i) for i in (1, 2, 3)]
    failed = TaskInfo(ref_id=ref_id, status=S.FAILED, started_at=T0, completed_at=T0 + 95.25,
                      error="TimeoutError: upstream did not answer in 30.0s",
                      retry_count=3, max_retries=3, retry_history=history)
    retrying = TaskInfo(ref_id=ref_id, status=S.PROCESSING, started_at=T0 + 31, retry_count=1,
                        retry_history=history[:1], progress=ref.TaskProgress(message="Retrying"))
    complete = TaskInfo(ref_id=ref_id, status=S.COMPLETE, started_at=T0, completed_at=T0 + 12.5,
                        progress=progress(120, 120, "Done"))
    whole = TaskInfo(ref_id="ref-0001", status=S.PROCESSING, started_at=1736937000.0,
                     progress=progress(7, 9))

    yield "task_progress", "python_task_progress_model_dump_json", processing.progress.model_dump_json().encode()
    yield "task_progress", "python_task_progress_one_third", third.progress.model_dump_json().encode()
    yield "task_progress", "python_task_progress_defaults", ref.TaskProgress().model_dump_json().encode()
    yield "retry_info", "python_retry_info_model_dump_json", history[1].model_dump_json().encode()
    yield "task_info", "python_task_info_new", new.model_dump_json().encode()
    yield "task_info", "python_task_info_processing", processing.model_dump_json().encode()
    yield "task_info", "python_task_info_failed_with_history", failed.model_dump_json().encode()
    yield "task_info", "python_task_info_retrying", retrying.model_dump_json().encode()
    yield "task_info", "python_task_info_complete_indent_2", complete.model_dump_json(indent=2).encode()
    yield "task_info", "python_task_info_reference_model", ref.TaskInfo(ref_id=ref_id, started_at=T0).model_dump_json().encode()

    now = T0 + 12.375
    r_processing = response(processing, now, message="Task is processing in the background. Poll with get_cached_result(ref_id) to check status.")
    yield "async_task_response", "python_async_task_response_processing", r_processing.model_dump_json().encode()
    yield "async_task_response", "python_async_task_response_pending_whole_second", \
        response(TaskInfo(ref_id="ref-0002", started_at=1736937000.0), now).model_dump_json().encode()
    yield "async_task_response", "python_async_task_response_failed", \
        response(failed, now, message="Task failed: TimeoutError: upstream did not answer in 30.0s").model_dump_json().encode()
    yield "async_task_response", "python_async_task_response_offset_minus_05_00", \
        response(whole, now, tz=timezone(timedelta(hours=-5))).model_dump_json().encode()
    yield "async_task_response", "python_async_task_response_offset_plus_05_30", \
        response(third, now, tz=timezone(timedelta(hours=5, minutes=30))).model_dump_json().encode()
    yield "async_task_response", "python_async_task_response_reference_model_indent_2", ref.AsyncTaskResponse(
        ref_id=ref_id, status=ref.TaskStatus.PROCESSING, started_at=iso(T0), eta_seconds=1e-05,
    ).model_dump_json(indent=2).encode()
    tiny = response(processing, now)
    tiny.eta_seconds = 1e-7
    yield "async_task_response", "python_async_task_response_eta_1e-7", tiny.model_dump_json().encode()
    huge = response(TaskInfo(ref_id="ref-0003", status=S.PROCESSING, started_at=T0, progress=progress(1, 10**15)), T0 + 1.234567890123)
    yield "async_task_response", "python_wire_standard_json_dumps_eta_exponent", json.dumps(wire(huge)).encode()

    # The decorator's wire dicts, "standard" and "full" response formats.
    schema = TypeAdapter(dict[str, list[str]]).json_schema()
    yield "async_task_response", "python_wire_standard_to_json", pydantic_core.to_json(wire(r_processing))
    yield "async_task_response", "python_wire_standard_json_dumps", json.dumps(wire(response(third, now))).encode()
    yield "async_task_response", "python_wire_full_to_json", pydantic_core.to_json(wire(r_processing, schema))
    yield "async_task_response", "python_wire_full_json_dumps_indent_2", json.dumps(wire(response(whole, now), schema), indent=2).encode()


    # AsyncTaskResponse.to_dict in its three response formats.
    expected = ExpectedSchema(return_type="dict[str, list[str]]", fields={"query": "str", "matches": "list[str]"},
                              example={"query": "async tasks", "matches": ["transcript-17"], "score": 0.75},
                              description="Die Treffer – beste zuerst.")
    r_pending = response(TaskInfo(ref_id="ref-0002", started_at=1736937000.0), now, message="Task is queued and will start shortly")
    r_done = response(complete, now, message="Task completed successfully")
    yield "minimal_task_response", "python_minimal_to_json", pydantic_core.to_json(view(r_processing, "minimal"))
    yield "minimal_task_response", "python_minimal_json_dumps_failed", json.dumps(view(response(failed, now), "minimal")).encode()
    yield "minimal_task_response", "python_minimal_complete", pydantic_core.to_json(view(r_done, "minimal"))
    yield "standard_task_response", "python_standard_to_json", pydantic_core.to_json(view(r_processing, "standard"))
    yield "standard_task_response", "python_standard_json_dumps_pending", json.dumps(view(r_pending, "standard")).encode()
    yield "standard_task_response", "python_standard_json_dumps_offset", \
        json.dumps(view(response(third, now, tz=timezone(timedelta(hours=5, minutes=30))), "standard")).encode()
    yield "full_task_response", "python_full_to_json", pydantic_core.to_json(view(r_processing, "full", expected))
    yield "full_task_response", "python_full_json_dumps_indent_2", json.dumps(view(huge, "full", expected), indent=2).encode()
    yield "full_task_response", "python_full_failed_no_expected_schema", \
        pydantic_core.to_json(view(response(failed, now, message="Task failed: TimeoutError: upstream did not answer in 30.0s"), "full"))
    yield "full_task_response", "python_full_complete_empty_expected_schema", pydantic_core.to_json(view(r_done, "full", ExpectedSchema()))
    yield "expected_schema", "python_expected_schema_model_dump_json", expected.model_dump_json().encode()
    yield "expected_schema", "python_expected_schema_defaults", ExpectedSchema().model_dump_json().encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=pathlib.Path, default=ROOT / "tests")
    parser.add_argument("--check", action="store_true", help="compare with the committed files instead of writing")
    args = parser.parse_args()
    want = {}
    for stem, name, data in payloads():
        path = args.tests / stem / "valid" / f"{name}.json"
        if path in want:
            sys.exit(f"two payloads named {path}")
        want[path] = data
    stale = []
    for path, data in want.items():
        if args.check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(str(path))
        else:
            path.write_bytes(data)
    for path in sorted(args.tests.glob("*/valid/python_*.json")):
        if path not in want:
            stale.append(f"{path} (not written by this generator)")
    if stale:
        print("out of date; run python3 conformance/python/gen_python_payloads.py:", *stale, sep="\n  ")
        sys.exit(1)
    if not args.check:
        print(f"wrote {len(want)} payloads")


if __name__ == "__main__":
    main()
