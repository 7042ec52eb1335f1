"""The Python code of docs/CLIENTS.md about the taskschema package: every
line of its python blocks is a line of this file or of validate.py
(tests/conformance_test.go checks, and runs this program).

Usage: python3 docs/snippets/package.py PAYLOAD_FILE (an AsyncTaskResponse)
Exit status 0 when valid, 1 with the violations when not.
"""
import sys

from pydantic import ValidationError

from taskschema import AsyncTaskResponse, TaskStatus, validate_json, violations

data = open(sys.argv[1], "rb").read()
try:
    resp = validate_json("async_task_response", data)  # strict, as Go: no "1" for 1
except ValidationError as err:
    for v in violations(err):
        print(f"{v.instance_path} {v.keyword}: {v.message}")
    sys.exit(1)
assert isinstance(resp, AsyncTaskResponse)
if resp.status is TaskStatus.COMPLETE:
    print("complete; fetch the result of", resp.ref_id)
print("valid", resp.status.value, resp.started_at.isoformat())
