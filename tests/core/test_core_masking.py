"""Both masking paths (C accelerator and pure Python) give identical bytes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wsproto import _masking


def reference_mask(data: bytes, key: bytes) -> bytes:
    return bytes(b ^ key[i % 4] for i, b in enumerate(data))


@given(st.binary(max_size=3000), st.binary(min_size=4, max_size=4))
def test_python_mask_matches_reference(data: bytes, key: bytes) -> None:
    assert _masking.python_mask(data, key) == reference_mask(data, key)
    assert _masking.python_mask(memoryview(data), key) == reference_mask(data, key)


needs_c = pytest.mark.skipif(
    not _masking.ACCELERATED,
    reason="C accelerator not built here (no compiler, PyPy, or WSPROTO_PURE_PYTHON set)",
)


@needs_c
@given(st.binary(max_size=3000), st.binary(min_size=4, max_size=4))
def test_c_mask_matches_python(data: bytes, key: bytes) -> None:
    assert _masking.mask(data, key) == _masking.python_mask(data, key)
    assert _masking.mask(bytearray(data), key) == _masking.python_mask(data, key)


@needs_c
def test_c_mask_every_length_and_alignment() -> None:
    """Each length across the 32-, 8- and 1-byte loops, from misaligned views too."""
    source = bytes(range(256)) * 2
    key = b"\x01\x80\xfe\x37"
    for offset in range(16):
        view = memoryview(source)[offset:]
        for length in range(200):
            expected = _masking.python_mask(bytes(view[:length]), key)
            assert _masking.mask(view[:length], key) == expected, (offset, length)


@needs_c
def test_c_mask_rejects_bad_key() -> None:
    with pytest.raises(ValueError):
        _masking.mask(b"abc", b"12")


def test_environment_variable_forces_pure_python() -> None:
    code = "from wsproto import _masking; print(_masking.ACCELERATED, _masking.mask.__name__)"
    env = dict(os.environ, WSPROTO_PURE_PYTHON="1")
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    assert out == ["False", "python_mask"]


def test_mask_keys_are_unpredictable_and_distinct() -> None:
    keys = {_masking.next_mask_key() for _ in range(3000)}
    assert all(len(k) == 4 for k in keys)
    assert len(keys) > 2900  # 3000 draws from 2**32: collisions are rare
