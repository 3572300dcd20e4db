"""Dependency hygiene: the versions that close known advisories are the ones installed."""

from __future__ import annotations

from importlib import metadata


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3] if part.isdigit())


def test_jinja2_closes_the_sandbox_advisories() -> None:
    assert _version(metadata.version("Jinja2")) >= (3, 1, 6)


def test_gitpython_is_recent() -> None:
    assert _version(metadata.version("GitPython")) >= (3, 1, 47)


def test_bundled_pandoc_is_recent() -> None:
    import pypandoc

    assert _version(pypandoc.get_pandoc_version()) >= (3, 1, 4)


def test_pins_are_declared() -> None:
    import tomllib
    from pathlib import Path

    deps = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]["dependencies"]
    assert "Jinja2>=3.1.6" in deps and "GitPython>=3.1.47" in deps
    assert "noto-cjk-sans-jp-regular==0.0.1" in deps and "noto-cjk-sans-jp-bold==0.0.1" in deps
