"""Blueprints from an untrusted branch: templates are sandboxed and cannot read outside."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT, Result

PLATFORM = ROOT / "tests" / "data" / "platform.yaml"
TEMPLATE = "service/base/deployment.yaml.j2"


def own_blueprints(tmp_path: Path, name: str = "service") -> Path:
    """A user's blueprint folder holding a copy of a built-in one."""
    folder = tmp_path / "blueprints"
    shutil.copytree(ROOT / "blueprints" / name, folder / name)
    return folder


def render(run: Callable[..., Result], blueprints: Path, out: Path, *extra: str) -> Result:
    return run(
        "render", PLATFORM, "-o", out, "--blueprints", blueprints, "--kustomize", "never", *extra
    )


def prepend(path: Path, line: str) -> None:
    path.write_text(line + "\n" + path.read_text())


@pytest.mark.parametrize(
    "payload",
    [
        "{% for c in ''.__class__.__mro__[1].__subclasses__() %}{% if c.__name__=='Popen' %}"
        "{% set _=c(['sh','-c','touch MARKER']).wait() %}{% endif %}{% endfor %}",
        "{{ cycler.__init__.__globals__.os.system('touch MARKER') }}",
        "{{ lipsum.__globals__['os'].popen('touch MARKER').read() }}",
        "{% set _ = app.env.update({'X': 'y'}) %}",
    ],
)
def test_templates_reach_no_python_objects(
    tmp_path: Path, run: Callable[..., Result], payload: str
) -> None:
    blueprints = own_blueprints(tmp_path)
    marker = tmp_path / "pwned"
    prepend(blueprints / TEMPLATE, payload.replace("MARKER", str(marker)))
    for extra in ((), ("--check",)):
        result = render(run, blueprints, tmp_path / "out", *extra)
        assert result.exit_code == 2
        assert result.stderr.startswith(f"{blueprints / TEMPLATE}:1: template error:")
        assert "unsafe" in result.stderr or "undefined" in result.stderr
        assert not marker.exists()
        assert not (tmp_path / "out").exists()


def test_an_include_through_a_symlink_out_of_the_blueprint_is_refused(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    blueprints = own_blueprints(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    (blueprints / "service/base/leak.txt").symlink_to(secret)
    prepend(blueprints / TEMPLATE, "# {% include 'base/leak.txt' %}")
    result = render(run, blueprints, tmp_path / "out")
    assert result.exit_code == 2
    assert "template 'base/leak.txt' resolves outside its blueprint folder" in result.stderr
    assert "TOPSECRET" not in result.stderr + result.stdout


def test_a_template_that_is_itself_a_symlink_out_is_refused(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    blueprints = own_blueprints(tmp_path)
    outside = tmp_path / "deployment.yaml.j2"
    (blueprints / TEMPLATE).rename(outside)
    (blueprints / TEMPLATE).symlink_to(outside)
    result = render(run, blueprints, tmp_path / "out")
    assert result.exit_code == 2
    assert "resolves outside its blueprint folder" in result.stderr


@pytest.mark.parametrize("name", ["values.yaml", "blueprint.yaml"])
def test_blueprint_files_that_are_symlinks_out_are_refused(
    tmp_path: Path, run: Callable[..., Result], name: str
) -> None:
    blueprints = own_blueprints(tmp_path, "cert-manager")
    outside = tmp_path / name
    target = blueprints / "cert-manager" / name
    target.rename(outside)
    target.symlink_to(outside)
    result = render(run, blueprints, tmp_path / "out")
    assert result.exit_code == 2
    assert f"{target}: resolves outside its blueprint folder" in result.stderr


def test_a_blueprint_folder_that_is_a_symlink_out_is_refused(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    blueprints = tmp_path / "blueprints"
    blueprints.mkdir()
    (blueprints / "service").symlink_to(ROOT / "blueprints" / "service")
    result = render(run, blueprints, tmp_path / "out")
    assert result.exit_code == 2
    assert f"{blueprints / 'service'}: a symlink out of the blueprint folder" in result.stderr


def test_a_values_schema_with_a_remote_reference_is_refused(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    blueprints = own_blueprints(tmp_path, "cert-manager")
    schema = blueprints / "cert-manager/values.schema.json"
    schema.write_text('{"$ref": "https://schemas.example.com/values.json"}')
    result = render(run, blueprints, tmp_path / "out")
    assert result.exit_code == 2, result.stderr
    assert f"{schema}: $ref" in result.stderr
