"""A wheel built from this checkout works on its own: the schemas ship inside it."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # No build isolation: the build backend comes from the test environment, so this
    # test needs no network.
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    (built,) = out.glob("vmsspec-*.whl")
    return built


def test_wheel_contains_schemas_and_type_marker(wheel: Path) -> None:
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    assert "vmsspec/schemas/create-task-request.json" in names
    assert "vmsspec/py.typed" in names
    assert "vmsspec/_data/seed-request.json" in names


def test_installed_wheel_validates_a_request(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    # Dependencies come from the test environment's site-packages (no network); the
    # package itself only from the wheel, and the checkout is not on sys.path.
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    # The test environment's site-packages joins the new one as a plain path entry:
    # its own .pth files (the checkout's editable install among them) are not run,
    # so vmsspec can only come from the wheel. `system_site_packages` would reach the
    # base interpreter's, which on a fresh machine lacks the dependencies.
    target = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True, timeout=60).stdout.strip()
    parents = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")}
    (Path(target) / "test-environment.pth").write_text("\n".join(sorted(parents)) + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "--force-reinstall", str(wheel)],
        check=True, capture_output=True, timeout=300,
    )
    script = (
        "import json, vmsspec, vmsspec._schemas as s\n"
        "e = vmsspec.validate_request(vmsspec.example_bytes('seed-request'))\n"
        "print(json.dumps({'file': vmsspec.__file__, 'schemas': str(s.schema_dir()),"
        " 'codes': sorted(v.code for v in e.violations)}))\n"
    )
    result = subprocess.run([str(python), "-c", script], cwd=tmp_path, capture_output=True,
                            text=True, check=True, timeout=120)
    info = json.loads(result.stdout)
    assert info["file"].startswith(str(env_dir))
    assert info["schemas"].startswith(str(env_dir))
    assert info["codes"] == ["ForbidTimeParseFail"] + ["InvalidParameter"] * 4
    cli = subprocess.run([str(env_dir / "bin" / "vmsspec"), "validate", "--example"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert cli.returncode == 0, cli.stderr
