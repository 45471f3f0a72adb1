"""The CUDA target's knob heuristic: which schedule each kind of nest gets, and tiles that
leave enough blocks for the GPU's multiprocessors."""

from __future__ import annotations

import pytest

import ziggurat
from ziggurat.analysis.nests import recognize
from ziggurat.analysis.payload import is_stage_root
from ziggurat.ir_io import pass_pipeline
from ziggurat.pipeline import lower
from ziggurat.registry import make_context
from ziggurat.targets.cuda.device import describe_gpu
from ziggurat.targets.cuda.knobs import plan, threads_for


def nests(text: str):
    module = lower(ziggurat.load_module(text), "te", "cuda{arch=sm_90}")
    pass_pipeline("te-inline,te-to-loop").apply(make_context(), module)
    for function in module.ops:
        for root in [o for o in function.regions[0].block.ops if is_stage_root(o)]:
            if (nest := recognize(root, function)) is not None:
                yield nest


def matmul(m: int, n: int, k: int) -> str:
    return f"""func.func @main(%a: tensor<{m}x{k}xf32>, %b: tensor<{k}x{n}xf32>) -> tensor<{m}x{n}xf32> {{
  %y = graph.matmul %a, %b : (tensor<{m}x{k}xf32>, tensor<{k}x{n}xf32>) -> tensor<{m}x{n}xf32>
  func.return %y : tensor<{m}x{n}xf32>
}}"""


def test_a_large_matmul_gets_tvms_tile_in_shared_memory():
    (nest,) = nests(matmul(4096, 4096, 4096))
    file, knobs = plan(nest, describe_gpu("sm_90"))
    assert file == "matmul.mlir"
    assert knobs == {
        "thread_rows": 16,
        "thread_columns": 4,
        "threads_y": 8,
        "threads_x": 32,
        "vector_width": 4,
        "k_tile": 8,
        "unroll": 8,
        "shared": 1,
        "transposed_b": 0,
    }


@pytest.mark.parametrize(("arch", "rows", "columns"), [("sm_90", 32, 64), ("sm_80", 64, 64)])
def test_smaller_matmuls_get_tiles_that_leave_two_blocks_per_multiprocessor(arch, rows, columns):
    (nest,) = nests(matmul(1024, 1024, 1024))
    gpu = describe_gpu(arch)
    _, knobs = plan(nest, gpu)
    block = (
        knobs["thread_rows"] * knobs["threads_y"],
        knobs["thread_columns"] * knobs["threads_x"],
    )
    assert block == (rows, columns)
    assert (1024 // rows) * (1024 // columns) >= 2 * gpu.multiprocessors


def test_a_matmul_too_small_to_share_tiles_reads_them_from_global_memory():
    (nest,) = nests(matmul(2, 10, 32))
    _, knobs = plan(nest, describe_gpu("sm_90"))
    assert knobs["shared"] == 0 and knobs["thread_rows"] == knobs["thread_columns"] == 1


@pytest.mark.parametrize(
    ("body", "file"),
    [
        ("%y = graph.relu %x : tensor<8x100xf32>", "elementwise.mlir"),
        ("%y = graph.softmax %x axis -1 : tensor<8x100xf32>", "softmax.mlir"),
        (
            "%y = graph.reduce_sum %x axes [1] : (tensor<8x100xf32>) -> tensor<8xf32>",
            "reduction.mlir",
        ),
    ],
)
def test_each_kind_has_its_schedule(body, file):
    result = body.rsplit("-> ", 1)[-1] if "->" in body else "tensor<8x100xf32>"
    text = f"""func.func @main(%x: tensor<8x100xf32>) -> {result} {{
  {body}
  func.return %y : {result}
}}"""
    chosen = [plan(nest, describe_gpu("sm_80")) for nest in nests(text)]
    assert chosen[-1][0] == file


def test_threads_fit_the_work():
    assert [threads_for(n) for n in (1, 40, 100, 256, 10**6)] == [32, 64, 128, 256, 256]
