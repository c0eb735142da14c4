"""Allowed roots: a served run whose folders resolve outside them is refused before it writes anything."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flows.roots import (
    ALLOWED_ROOTS_ENV,
    OutsideAllowedRoots,
    allowed_roots_from_env,
    check_allowed,
    enforce_allowed_roots,
    roots_env_value,
)


@pytest.fixture
def tree(tmp_path: Path) -> dict[str, Path]:
    allowed = tmp_path / "allowed"
    (allowed / "raw").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (allowed / "link-out").symlink_to(elsewhere, target_is_directory=True)
    (elsewhere / "link-in").symlink_to(allowed, target_is_directory=True)
    return {"allowed": allowed, "elsewhere": elsewhere}


@pytest.mark.parametrize(
    "folder",
    ["allowed", "allowed/raw", "allowed/new/deeper", "elsewhere/link-in/raw", "allowed/raw/../x"],
)
def test_inside(tree, folder):
    base = tree["allowed"].parent
    check_allowed({"out_dir": str(base / folder)}, [tree["allowed"]])


@pytest.mark.parametrize(
    "folder",
    [
        "elsewhere",
        "allowed/../elsewhere",
        "allowed/raw/../../elsewhere/x",
        "allowed/link-out",
        "allowed/link-out/new",
        "/etc",
    ],
)
def test_outside_is_refused_naming_the_folder(tree, folder):
    base = tree["allowed"].parent
    with pytest.raises(OutsideAllowedRoots) as exc:
        check_allowed(
            {"raw_dir": str(tree["allowed"] / "raw"), "out_dir": str(base / folder)}, [tree["allowed"]]
        )
    assert "out_dir=" in str(exc.value) and str(tree["allowed"]) in str(exc.value)


def test_a_sibling_with_a_common_prefix_is_outside(tmp_path):
    (tmp_path / "data").mkdir()
    with pytest.raises(OutsideAllowedRoots):
        check_allowed({"out_dir": str(tmp_path / "data-other")}, [tmp_path / "data"])


def test_relative_folders_resolve_against_the_working_folder(tree, monkeypatch):
    monkeypatch.chdir(tree["allowed"])
    check_allowed({"raw_dir": "raw", "out_dir": "clean"}, [Path(".")])
    with pytest.raises(OutsideAllowedRoots):
        check_allowed({"out_dir": "../elsewhere"}, [Path(".")])


def test_environment_round_trip(tree):
    env = {ALLOWED_ROOTS_ENV: roots_env_value([tree["allowed"], tree["elsewhere"] / "link-in"])}
    assert allowed_roots_from_env(env) == [tree["allowed"], tree["allowed"]]
    assert allowed_roots_from_env({}) is None
    enforce_allowed_roots(str(tree["allowed"]), str(tree["allowed"] / "out"), env)
    with pytest.raises(OutsideAllowedRoots):
        enforce_allowed_roots(str(tree["allowed"]), str(tree["elsewhere"]), env)
    enforce_allowed_roots("/anywhere", "/at/all", {})  # not served: the operator's own run


@pytest.mark.prefect
def test_the_flow_refuses_before_writing_anything(tree, monkeypatch, prefect_harness):
    from flows.params import CleanNewsParams
    from flows.pipeline import clean_news

    monkeypatch.setenv(ALLOWED_ROOTS_ENV, roots_env_value([tree["allowed"]]))
    out = tree["allowed"] / "raw" / ".." / ".." / "elsewhere" / "stolen"
    params = CleanNewsParams(raw_dir=str(tree["allowed"] / "raw"), out_dir=str(out))
    with pytest.raises(OutsideAllowedRoots):
        clean_news(params=params)
    assert not (tree["elsewhere"] / "stolen").exists()
    assert os.listdir(tree["elsewhere"]) == ["link-in"]
