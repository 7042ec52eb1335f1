"""A minimal PEP 517 build backend for the taskschema Python package.

It builds a pure-Python wheel (and an sdist) from src/ with the standard
library alone: this machine's python3 has setuptools but not `wheel`, so
setuptools cannot build a wheel here, and pip with --no-index cannot fetch
it. Everything under src/ is packed as it is (the generated models and the
schema files included); the metadata comes from pyproject.toml's [project]
table, read with tomllib (Python 3.11+) or, before it, from the few keys this
file writes itself.
"""

import base64
import hashlib
import io
import os
import pathlib
import tarfile
import zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
SRC = ROOT / "src"


def _project():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    try:
        import tomllib
    except ImportError:  # Python < 3.11: the keys used below, read by hand
        out, section = {}, None
        for line in text.splitlines():
            line = line.strip()
            if line.startswith("["):
                section = line.strip("[]")
            elif section == "project" and "=" in line:
                key, _, value = line.partition("=")
                out[key.strip()] = eval(value.strip(), {}, {})  # noqa: S307 - our own file
        return out
    return tomllib.loads(text)["project"]


def _names():
    p = _project()
    return p, p["name"], p["version"]


def _metadata(p):
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {p['name']}",
        f"Version: {p['version']}",
        f"Summary: {p.get('description', '')}",
        f"Requires-Python: {p.get('requires-python', '>=3.9')}",
    ]
    lines += [f"Requires-Dist: {d}" for d in p.get("dependencies", [])]
    return "\n".join(lines) + "\n"


def _files():
    for path in sorted(SRC.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            yield path, path.relative_to(SRC).as_posix()


def _record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    p, name, version = _names()
    info = pathlib.Path(metadata_directory) / f"{name}-{version}.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(_metadata(p), encoding="utf-8")
    return info.name


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    p, name, version = _names()
    wheel_name = f"{name}-{version}-py3-none-any.whl"
    info = f"{name}-{version}.dist-info"
    record = []
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w", zipfile.ZIP_DEFLATED) as z:
        def add(arcname, data):
            z.writestr(zipfile.ZipInfo(arcname, date_time=(1980, 1, 1, 0, 0, 0)), data)
            record.append(_record_line(arcname, data))

        for path, rel in _files():
            add(rel, path.read_bytes())
        add(f"{info}/METADATA", _metadata(p).encode())
        add(f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: taskschema build_backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        record.append(f"{info}/RECORD,,")
        z.writestr(zipfile.ZipInfo(f"{info}/RECORD", date_time=(1980, 1, 1, 0, 0, 0)), "\n".join(record) + "\n")
    return wheel_name


def build_sdist(sdist_directory, config_settings=None):
    p, name, version = _names()
    base = f"{name}-{version}"
    out = os.path.join(sdist_directory, base + ".tar.gz")
    with tarfile.open(out, "w:gz") as tar:
        def add(rel, data):
            ti = tarfile.TarInfo(f"{base}/{rel}")
            ti.size = len(data)
            tar.addfile(ti, io.BytesIO(data))

        for path in sorted(ROOT.rglob("*")):
            rel = path.relative_to(ROOT).as_posix()
            if path.is_file() and "__pycache__" not in path.parts and not rel.startswith(("build/", "dist/")):
                add(rel, path.read_bytes())
        add("PKG-INFO", _metadata(p).encode())
    return base + ".tar.gz"
