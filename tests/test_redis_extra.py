"""redis is an optional extra: without it, the Redis history backend says how to install it."""

from __future__ import annotations

import sys

import pytest

from flows.history import open_key_index


def test_redis_backend_without_the_package_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "redis", None)  # import redis -> ImportError
    with pytest.raises(RuntimeError, match=r'pip install "wirewash\[redis\]"'):
        open_key_index("redis", tmp_path, "redis://127.0.0.1:6379/0")


def test_files_backend_needs_no_redis(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "redis", None)
    index = open_key_index("files", tmp_path, "redis://unused")
    index.close()
    assert (tmp_path / "history").is_dir()  # the segments index, opened without redis
