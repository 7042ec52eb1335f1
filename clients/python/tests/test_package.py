"""Tests of the taskschema Python package: it installs without an index and
without `wheel` (pip install --no-index --no-build-isolation), ships the
schema files, and its generated models are strict where the Go library is.

Run from the repository root: python3 -m unittest discover -s clients/python/tests -v
"""

import json
import pathlib
import subprocess
import sys
import tempfile
import unittest

PACKAGE = pathlib.Path(__file__).resolve().parents[1]
ROOT = PACKAGE.parents[1]


class InstallTest(unittest.TestCase):
    def test_pip_install_into_venv(self):
        """The command of the issue, as a user without an index runs it: its
        dependency (pydantic) comes from the machine's site packages."""
        with tempfile.TemporaryDirectory() as d:
            subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", d], check=True)
            py = str(pathlib.Path(d) / "bin" / "python")
            subprocess.run([py, "-m", "pip", "install", "--quiet", "--no-index", "--no-build-isolation", str(PACKAGE)],
                           check=True)
            out = subprocess.run([py, "-c", "import taskschema; print(taskschema.__file__); "
                                  "print(taskschema.TaskInfo.model_validate_json(b'{\"ref_id\": \"r\", \"started_at\": 1}').max_retries)"],
                                 check=True, capture_output=True, text=True, cwd=d)
            path, max_retries = out.stdout.split()
            self.assertTrue(path.startswith(d), path)
            self.assertEqual(max_retries, "3")

    def test_pip_install_without_index(self):
        with tempfile.TemporaryDirectory() as target:
            subprocess.run(
                [sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--no-build-isolation",
                 "--no-deps", "--target", target, str(PACKAGE)],
                check=True)
            code = (
                "import json, taskschema, pathlib\n"
                "p = pathlib.Path(taskschema.__file__)\n"
                f"assert str(p).startswith({target!r}), p\n"
                "assert taskschema.schema('task_info')['title'] == 'TaskInfo'\n"
                "assert (taskschema.SCHEMA_DIR / 'taskschema.bundle.json').is_file()\n"
                "print(taskschema.validate_json('task_status', b'\"complete\"').value)\n"
            )
            out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                                 env={"PYTHONPATH": target, "PATH": "/usr/bin:/bin"}, cwd=target)
            self.assertEqual(out.stdout.strip(), "complete")
            shipped = sorted(p.name for p in (pathlib.Path(target) / "taskschema" / "schema").iterdir())
            self.assertEqual(shipped, sorted(p.name for p in (ROOT / "schema").glob("*.json")))


sys.path.insert(0, str(PACKAGE / "src"))
import taskschema  # noqa: E402
from pydantic import ValidationError  # noqa: E402


def pairs(stem, payload):
    try:
        taskschema.validate_json(stem, payload)
    except ValidationError as e:
        return [(v.instance_path, v.keyword) for v in taskschema.violations(e)]
    return []


class StrictTest(unittest.TestCase):
    base = {"ref_id": "r", "started_at": 1736937000}

    def payload(self, **kw):
        return json.dumps({**self.base, **kw})

    def test_no_string_for_an_integer(self):
        self.assertEqual(pairs("task_info", self.payload(retry_count="1")), [("/retry_count", "type")])

    def test_no_fraction_for_an_integer(self):
        self.assertEqual(pairs("task_info", self.payload(retry_count=1.5)), [("/retry_count", "type")])

    def test_integer_valued_number_is_an_integer(self):
        info = taskschema.validate_json("task_info", '{"ref_id": "r", "started_at": 1, "retry_count": 2.0}')
        self.assertEqual(info.retry_count, 2)
        self.assertIsInstance(info.retry_count, int)

    def test_no_bool_for_an_integer(self):
        self.assertEqual(pairs("task_info", self.payload(retry_count=True)), [("/retry_count", "type")])

    def test_bounds(self):
        self.assertEqual(pairs("task_info", self.payload(retry_count=-1)), [("/retry_count", "minimum")])
        self.assertEqual(pairs("task_info", self.payload(started_at=253402300800)), [("/started_at", "maximum")])

    def test_null_only_where_nullable(self):
        self.assertEqual(pairs("task_info", self.payload(max_retries=None)), [("/max_retries", "type")])
        self.assertEqual(pairs("task_info", self.payload(error=None)), [])

    def test_defaults(self):
        info = taskschema.TaskInfo.model_validate_json(self.payload())
        self.assertEqual(info.status, taskschema.TaskStatus.PENDING)
        self.assertEqual((info.max_retries, info.retry_count, info.retry_history), (3, 0, []))

    def test_enum(self):
        self.assertEqual(pairs("task_info", self.payload(status="done")), [("/status", "enum")])

    def test_date_time(self):
        ok = '{"ref_id": "r", "status": "pending", "started_at": "2025-01-15T10:30:00.123456789z"}'
        r = taskschema.validate_json("async_task_response", ok)
        self.assertEqual(r.started_at.microsecond, 123456)
        self.assertIsNotNone(r.started_at.tzinfo)
        for bad in ("2025-01-15T10:30:00", "2016-12-31T23:59:60Z", "2025-01-15T10:30:00Z\n"):
            self.assertEqual(pairs("async_task_response", json.dumps({"ref_id": "r", "status": "pending", "started_at": bad})),
                             [("/started_at", "pattern")], bad)
        self.assertEqual(pairs("async_task_response", json.dumps({"ref_id": "r", "status": "pending", "started_at": "2025-02-30T00:00:00Z"})),
                         [("/started_at", "format")])

    def test_json_strictness(self):
        self.assertEqual(pairs("task_info", '{"ref_id": "r", "ref_id": "s", "started_at": 1}'), [("", "json")])
        self.assertEqual(pairs("task_info", '{"ref_id": "r", "started_at": NaN}'), [("", "json")])

    def test_pointers(self):
        self.assertEqual(pairs("expected_schema", '{"fields": {"Name": 1, "a/b": 2}}'),
                         [("/fields/Name", "type"), ("/fields/a~1b", "type")])
        self.assertEqual(pairs("full_task_response", '{"is_async": false}')[0:4],
                         [("/can_retry", "required"), ("/error", "required"), ("/eta_seconds", "required"), ("/expected_schema", "required")])
        self.assertIn(("/is_async", "const"), pairs("full_task_response", '{"is_async": false}'))
        self.assertEqual(pairs("task_info", '{"ref_id": "r", "started_at": 1, "retry_history": [{"attempt": 0, "error": "e", "timestamp": 1}]}'),
                         [("/retry_history/0/attempt", "minimum")])

    def test_descriptions(self):
        field = taskschema.TaskInfo.model_fields["retry_count"]
        self.assertEqual(field.description, "The number of retry attempts made so far.")

    def test_unknown_keys_kept(self):
        info = taskschema.TaskInfo.model_validate_json(self.payload(extra_key=[1]))
        self.assertEqual(info.model_extra, {"extra_key": [1]})


if __name__ == "__main__":
    unittest.main()
