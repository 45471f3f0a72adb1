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
    """A compiled module: call it to run its main function, or call any function by name.
    Below the graph level integers are signless: a function whose graph-level results are
    unsigned (`unsigned`, their numpy types by function) returns them as such, the same
    bits."""

    def __init__(
        self, functions: Any, main: str, unsigned: dict[str, list[np.dtype]] | None = None
    ):
        self._functions = functions
        self._main = main  # private: `compiled.main` is the function named main, if any
        self._unsigned = unsigned or {}

    def __call__(self, *arrays: np.ndarray) -> list[np.ndarray]:
        return self._function(self._main)(*arrays)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._function(name)

    def _function(self, name: str) -> Callable[..., Any]:
        function = getattr(self._functions, name)
        types = self._unsigned.get(name)
        if types is None:
            return function

        def with_types(*arrays: Any) -> Any:
            results = function(*arrays)
            return [
                r.view(t) if r.dtype.kind == "i" and t.kind == "u" else r
                for r, t in zip(results, types, strict=True)
            ]

        return with_types


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
    unsigned = unsigned_results(module)
    lower(module, "loop", chosen, fuse=fuse)
    return Compiled(chosen.compile(module), main, unsigned)


def unsigned_results(module: ModuleOp) -> dict[str, list[np.dtype]]:
    """The numpy types of the tensor results of each function with an unsigned one."""
    from xdsl.dialects.builtin import TensorType

    from ziggurat.dialects.graph import UNSIGNED, element_kind
    from ziggurat.elements import element_dtype

    found = {}
    for op in module.ops:
        if not isinstance(op, func.FuncOp):
            continue
        outputs = list(op.function_type.outputs)
        if all(isinstance(t, TensorType) for t in outputs) and any(
            element_kind(t.element_type) == UNSIGNED  # type: ignore[attr-defined]
            for t in outputs
        ):
            found[op.sym_name.data] = [element_dtype(t.element_type) for t in outputs]  # type: ignore[attr-defined]
    return found
