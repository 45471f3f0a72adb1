"""Ziggurat: an MLIR-style compiler for machine-learning models, built on xDSL.

import ziggurat
compiled = ziggurat.compile(module, target="cpu")   # graph, te or loop level
compiled = ziggurat.compile(module, target="cpu{threads=1}")  # any target, with options
compiled = ziggurat.compile("model.onnx", batch_size=1)  # or an onnx.ModelProto
outputs = compiled(x)                                # list of numpy arrays
compiled.matmul(A, B, C)                             # any function by name
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp

from ziggurat.diagnostics import ZigguratError

if TYPE_CHECKING:
    import onnx

    from ziggurat.targets.target import Target

__all__ = ["Compiled", "ZigguratError", "compile", "load_module"]


class Compiled:
    """A compiled module: call it to run its main function, or call any function by name."""

    def __init__(self, functions: Any, main: str, result_types: list[np.dtype] | None = None):
        self._functions = functions
        self._main = main  # private: `compiled.main` is the function named main, if any
        self._result_types = result_types

    def __call__(self, *arrays: np.ndarray) -> list[np.ndarray]:
        results = getattr(self._functions, self._main)(*arrays)
        if not self._result_types or not isinstance(results, list):
            return results
        # Below the graph level integers are signless: an unsigned result comes back as the
        # signed type of its width, the same bits.
        return [
            r.view(t) if isinstance(r, np.ndarray) and signedness_differs(r.dtype, t) else r
            for r, t in zip(results, self._result_types, strict=False)
        ]

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._functions, name)


def signedness_differs(actual: np.dtype, wanted: np.dtype) -> bool:
    """Whether two integer types differ in signedness only."""
    kinds = {actual.kind, wanted.kind}
    return kinds == {"i", "u"} and actual.itemsize == wanted.itemsize


def is_onnx(source: object) -> bool:
    """Whether `source` is an ONNX model or the path of a .onnx file."""
    if isinstance(source, str | Path) and str(source).endswith(".onnx") and "\n" not in str(source):
        return True
    return type(source).__name__ == "ModelProto" and type(source).__module__.startswith("onnx")


def load_module(
    source: ModuleOp | onnx.ModelProto | str | Path, batch_size: int | None = None
) -> ModuleOp:
    """An xDSL module from a module, IR text, the path of a .mlir file (verified), or an ONNX
    model or .onnx path (imported; `batch_size` fixes a dynamic first input dimension)."""
    from ziggurat.ir_io import parse_module, verify_module

    if is_onnx(source):
        from ziggurat.frontends.onnx import import_model

        module = import_model(source, batch_size=batch_size)  # type: ignore[arg-type]
        verify_module(module)
        return module
    if isinstance(source, ModuleOp):
        verify_module(source)
        return source
    if isinstance(source, Path) or (
        isinstance(source, str) and source.endswith(".mlir") and "\n" not in source
    ):
        path = Path(source)
        if not path.is_file():
            raise ZigguratError(f"no such file: {path}")
        module = parse_module(path.read_text(), str(path))
    else:
        module = parse_module(source, "<string>")
    verify_module(module)
    return module


def main_function(module: ModuleOp) -> str:
    """The function a bare call runs: `main`, else the first public function."""
    functions = [op for op in module.ops if isinstance(op, func.FuncOp) and op.body.blocks]
    names = [f.sym_name.data for f in functions]
    if "main" in names:
        return "main"
    public = [
        f.sym_name.data
        for f in functions
        if f.sym_visibility is None or f.sym_visibility.data == "public"
    ]
    if not public:
        raise ZigguratError("the module defines no public function to run")
    return public[0]


def compile(  # noqa: A001
    source: ModuleOp | onnx.ModelProto | str | Path,
    target: str | Target = "cpu",
    batch_size: int | None = None,
    fuse: bool = True,
) -> Compiled:
    """Compile a module at any level (graph, te or loop), or an ONNX model, for `target`
    (a name with options, `cpu{threads=1}`, or a Target); `fuse=False` compiles every
    operator on its own (no operator fusion)."""
    from ziggurat.pipeline import lower
    from ziggurat.targets.target import target_named

    chosen = target_named(target)
    module = load_module(source, batch_size=batch_size)
    if isinstance(source, ModuleOp):
        module = module.clone()
    main = main_function(module)
    result_types = tensor_result_types(module, main)
    lower(module, "loop", chosen, fuse=fuse)
    return Compiled(chosen.compile(module), main, result_types)


def tensor_result_types(module: ModuleOp, name: str) -> list[np.dtype] | None:
    """The numpy types of the tensor results of function `name`, if it returns tensors."""
    from xdsl.dialects.builtin import TensorType

    from ziggurat.elements import element_dtype

    function = next(
        op for op in module.ops if isinstance(op, func.FuncOp) and op.sym_name.data == name
    )
    outputs = list(function.function_type.outputs)
    if not outputs or not all(isinstance(t, TensorType) for t in outputs):
        return None
    return [element_dtype(t.element_type) for t in outputs]  # type: ignore[attr-defined]
