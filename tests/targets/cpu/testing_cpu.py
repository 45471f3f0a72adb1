"""What the CPU target's tests share: loop IR text compiled, and seeded random inputs."""

from __future__ import annotations

import numpy as np

from ziggurat.ir_io import parse_module
from ziggurat.targets.cpu import compile_loop_module

# Odd sizes and one, for loops whose extent is a run-time value.
SHAPES = [1, 7, 13]


def compile_text(text: str):
    return compile_loop_module(parse_module(text))


def random(*shape: int, dtype=np.float32, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)
