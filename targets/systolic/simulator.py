"""The systolic array's simulator: its instructions in order, with numpy, in cycles.

Filling the array takes `size` cycles (a row of weights per cycle); streaming R rows takes
R + 2 * (size - 1) cycles (the first row enters, the last leaves the far corner). The
result gives the cycles and the PEs' utilization (multiply-adds done over those possible).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from xdsl.ir import SSAValue

from ziggurat.dialects.systolic import ArrayOp, StreamOp, WeightsOp


@dataclass
class Result:
    cycles: int
    multiply_adds: int
    size: int

    def utilization(self) -> float:
        return self.multiply_adds / (self.cycles * self.size**2) if self.cycles else 0.0


def box(offset: int, extents, strides) -> np.ndarray:
    rows, columns = extents
    return offset + np.arange(rows)[:, None] * strides[0] + np.arange(columns)[None, :] * strides[1]


def simulate(array: ArrayOp, tensors: Mapping[SSAValue, np.ndarray]) -> Result:
    size = array.size.value.data
    flat = {value: data.reshape(-1) for value, data in tensors.items()}
    weights = np.zeros((size, size), np.int64)
    cycles = multiply_adds = 0
    for op in array.body.block.ops:
        if isinstance(op, WeightsOp):
            weights = flat[op.tensor][
                box(op.offset.value.data, (size, size), op.strides.get_values())
            ]
            weights = weights.astype(np.int64)
            cycles += size
        elif isinstance(op, StreamOp):
            rows = op.rows.value.data
            inputs = flat[op.input][
                box(op.input_offset.value.data, (rows, size), op.input_strides.get_values())
            ]
            where = box(op.output_offset.value.data, (rows, size), op.output_strides.get_values())
            sums = inputs.astype(np.int64) @ weights
            if op.accumulate is not None:
                sums += flat[op.output][where]
            flat[op.output][where] = ((sums + (1 << 31)) % (1 << 32) - (1 << 31)).astype(np.int32)
            cycles += rows + 2 * (size - 1)
            multiply_adds += rows * size * size
    return Result(cycles, multiply_adds, size)
