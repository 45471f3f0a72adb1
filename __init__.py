"""Ziggurat: an MLIR-style compiler for machine-learning models, built on xDSL.

import ziggurat
compiled = ziggurat.compile(module, target="cpu")   # graph, te or loop level
compiled = ziggurat.compile(module, target="cpu{threads=1}")  # any target, with options
compiled = ziggurat.compile("model.onnx", batch_size=1)  # or an onnx.ModelProto
compiled = ziggurat.compile("model.onnx", tuning_log="tuning.jsonl")  # `ziggurat tune`'s best
outputs = compiled(x)                                # list of numpy arrays
compiled.matmul(A, B, C)                             # any function by name
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp

from ziggurat.diagnostics import ZigguratError

if TYPE_CHECKING:
    import onnx

    from ziggurat import cache as caches
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
    cache: bool = True,
    tuning_log: str | Path | None = None,
) -> Compiled:
    """Compile a module at any level (graph, te or loop), or an ONNX model, for `target`
    (a name with options, `cpu{threads=1}`, or a Target); `fuse=False` compiles every
    operator on its own (no operator fusion). A model compiled before (same source,
    options, target and versions) is loaded from the cache of compiled code (cache.py)
    instead; `cache=False` compiles it whole, without reading or writing the cache.
    `tuning_log` applies the best schedule of each task `ziggurat tune` logged there (the
    default schedule elsewhere); such a compile does not use the cache."""
    from ziggurat import cache as caches
    from ziggurat import progress
    from ziggurat.pipeline import lower_for_compile
    from ziggurat.targets.target import target_named

    chosen = target_named(target)
    if tuning_log is not None and not Path(tuning_log).is_file():
        raise ZigguratError(f"no such tuning log: {tuning_log}")
    log = str(tuning_log) if tuning_log is not None else None
    with paused_gc():
        store = caches.current() if cache and log is None else None
        key = None
        module = None
        if store is not None:
            digest = None
            if is_onnx(source) and isinstance(source, str | Path):
                with progress.phase("cache lookup"):
                    digest = remembered_digest(Path(source), store)
                if digest is None:
                    # A model file not seen before is read and hashed (100 MB for ResNet-50)
                    # on a thread while it is imported (both let go of the GIL).
                    with ThreadPoolExecutor(max_workers=1) as hashing:
                        digested = hashing.submit(source_digest, Path(source), store)
                        with progress.phase("import"):
                            module = load_module(source, batch_size=batch_size)
                        digest = digested.result()
            with progress.phase("cache lookup"):
                key = compile_key(source, chosen, batch_size, fuse, store, digest)
                found = store.get_views(key, later=chosen.is_data)
            if found is not None:
                with progress.phase("load from cache"):
                    unsigned = {
                        name: [np.dtype(t) for t in dtypes]
                        for name, dtypes in json.loads(bytes(found["unsigned"])).items()
                    }
                    main = bytes(found["main"]).decode()
                    # Loaded while its weights are checked; dropped if they were not whole.
                    loaded = Compiled(chosen.load(found), main, unsigned)
                if found.intact():
                    return loaded
                del loaded
        with caches.bypassed() if store is None else nullcontext():
            if module is None:
                with progress.phase("import"):
                    module = load_module(source, batch_size=batch_size)
                    if isinstance(source, ModuleOp):
                        module = module.clone()
            main = main_function(module)
            unsigned = unsigned_results(module)
            passes = lower_for_compile(module, chosen, fuse=fuse, tuning_log=log)
            with progress.phase(f"{chosen.name} code"):
                compiled = chosen.compile_functions(module, passes)
        artifact = chosen.artifact(compiled) if key is not None else None
        if artifact is not None:
            with progress.phase("cache store"):
                types = {name: [t.str for t in dtypes] for name, dtypes in unsigned.items()}
                parts = {"main": main.encode(), "unsigned": json.dumps(types).encode()}
                store.put(key, {**artifact, **parts})  # type: ignore[union-attr]
    return Compiled(compiled, main, unsigned)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Run without Python's cycle collector: a compile makes millions of IR objects, which
    it would scan again and again (a third of the time on large models); what is left
    over is collected after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def compile_key(
    source: ModuleOp | onnx.ModelProto | str | Path,
    target: Target,
    batch_size: int | None,
    fuse: bool,
    store: caches.Cache | None = None,
    digest: str | None = None,
) -> str:
    """The cache key of compiling `source`: its bytes (a model's, with its external data)
    or text, the options, the target's identity and the versions. A model file's digest
    is `digest` where given, else remembered in `store` (see source_digest)."""
    from ziggurat import cache as caches
    from ziggurat.ir_io import print_module

    content: str | bytes
    if is_onnx(source) and isinstance(source, str | Path):
        content = digest or source_digest(Path(source), store)
    elif is_onnx(source):
        content = source.SerializeToString()  # type: ignore[union-attr]
    elif isinstance(source, ModuleOp):
        content = print_module(source).encode()
    elif isinstance(source, Path) or (source.endswith(".mlir") and "\n" not in source):
        content = read_source(Path(source))
    else:
        content = source.encode()
    options = f"batch_size={batch_size} fuse={fuse}"
    return caches.key("compile", caches.versions(), target.identity(), options, content)


def read_source(path: Path) -> bytes:
    if not path.is_file():
        raise ZigguratError(f"no such file: {path}")
    try:
        return path.read_bytes()
    except OSError as error:
        raise ZigguratError(f"cannot read {path}: {error.strerror}") from None


def source_digest(path: Path, store: caches.Cache | None) -> str:
    """The digest of an ONNX file's content, with its external data. `store` remembers it
    by the files' stamps (see stamp), so a model compiled before is found without reading
    its weights again."""
    from ziggurat import cache as caches

    remembered = remembered_digest(path, store) if store is not None else None
    if remembered is not None:
        return remembered
    content, external = onnx_file_parts(path)
    digest = hashlib.sha256(content).hexdigest()
    if store is not None and stamp(path) != MISSING:
        files = json.dumps([[str(f), stamp(f)] for f in [path, *external]])
        memo = caches.key("source digest", stamp(path))
        store.put(memo, {"digest": digest.encode(), "files": files.encode()})
    return digest


def remembered_digest(path: Path, store: caches.Cache) -> str | None:
    """The digest of an ONNX file that `store` remembers, if its files' stamps are still
    those it saw."""
    from ziggurat import cache as caches

    if stamp(path) == MISSING:
        return None
    found = store.get(caches.key("source digest", stamp(path)))
    if found is None:
        return None
    recorded = json.loads(found["files"])
    if all(stamp(Path(name)) == seen for name, seen in recorded):
        return found["digest"].decode()
    return None


MISSING = "missing"


def stamp(path: Path) -> str:
    """What changes when a file is written or replaced: its resolved path, device, inode,
    size, and modification and status-change times (the latter no tool sets back)."""
    try:
        status = path.stat()
        resolved = path.resolve()
    except OSError:
        return MISSING
    return (
        f"{resolved} {status.st_dev} {status.st_ino} {status.st_size} "
        f"{status.st_mtime_ns} {status.st_ctime_ns}"
    )


def onnx_file_parts(path: Path) -> tuple[bytes, list[Path]]:
    """The bytes of an ONNX file and of the external data files it names (the word
    `location` is in every model that has them), and those files."""
    data = read_source(path)
    if b"location" not in data:
        return data, []
    import onnx

    def tensors(graph: onnx.GraphProto) -> Iterator[onnx.TensorProto]:
        yield from graph.initializer
        for node in graph.node:
            for attribute in node.attribute:
                yield from [attribute.t] if attribute.HasField("t") else attribute.tensors
                for inner in [attribute.g] if attribute.HasField("g") else attribute.graphs:
                    yield from tensors(inner)

    model = onnx.ModelProto.FromString(data)  # the external data left where it is
    parts = [data]
    files = []
    for tensor in tensors(model.graph):
        if tensor.data_location == onnx.TensorProto.EXTERNAL:
            entries = {entry.key: entry.value for entry in tensor.external_data}
            files.append(path.parent / entries["location"])
            parts.append(read_source(files[-1]))
    return b"".join(parts), files


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
