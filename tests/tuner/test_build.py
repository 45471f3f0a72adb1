"""tuner/build.py: a candidate's local buffers are checked against the target's fast memory,
where they are tiles; a padded image packed once per image is none."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

from ziggurat.diagnostics import ZigguratError
from ziggurat.tuner.build import VECTORIZER_REMARK, build, quiet, scheduled_module
from ziggurat.tuner.measure import inputs_for
from ziggurat.tuner.space import Space
from ziggurat.tuner.tasks import extract_tasks


def conv_model(channels: int = 16, filters: int = 32, size: int = 20):
    rng = np.random.default_rng(0)
    weight = rng.standard_normal((filters, channels, 3, 3)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "w"], ["y"], pads=[1, 1, 1, 1])],
        "conv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, (1, channels, size, size))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, (1, filters, size, size))],
        [numpy_helper.from_array(weight, "w")],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


@pytest.fixture
def conv_task(target):
    (task,) = extract_tasks([conv_model()], target)
    assert task.kind == "conv2d"
    return task


def test_an_image_packed_per_image_is_no_tile(conv_task, target, monkeypatch):
    # The padded image (16 x 22 x 22 floats, 31 KB) is larger than this fast memory, but it
    # is packed once per image: the default schedule builds and runs.
    monkeypatch.setattr(type(target), "local_memory", lambda self: 16 << 10)
    run = build(conv_task, None, target)
    assert np.isfinite(run(*inputs_for(conv_task))[0]).all()


def test_a_tile_larger_than_fast_memory_is_rejected(conv_task, target, monkeypatch):
    # A filter block's weights packed under the block loop (16 x 3 x 3 x 16 floats, 9 KB)
    # are a tile: over 4 KB of fast memory they are rejected before the target compiles.
    space = Space.of(conv_task, target)
    blocked = {**space.default(), "filter_block": 16, "filters_outside": 1, "pack_weights": 2}
    text = space.schedule_text(space.canonical(blocked))
    scheduled_module(conv_task, text, target)
    monkeypatch.setattr(type(target), "local_memory", lambda self: 4 << 10)
    with pytest.raises(ZigguratError, match="a local buffer of 9216 bytes does not fit in 4096"):
        scheduled_module(conv_task, text, target)


def test_vectorizer_remarks_are_dropped_and_other_lines_kept(capfd):
    """LLVM writes to file descriptor 2, under Python's sys.stderr: what `quiet` catches."""
    import os

    with quiet(VECTORIZER_REMARK):
        os.write(2, f"warning: <unknown>:0:0: {VECTORIZER_REMARK}: the optimizer\n".encode())
        os.write(2, b"error: a real one\n")
    assert capfd.readouterr().err == "error: a real one\n"
