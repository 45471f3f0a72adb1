"""The cache of compiled code: a second compile loads what the first stored; entries are
whole or absent under two processes at once, a corrupt one is compiled again, the folder
stays within its bound, an unwritable folder is said once and compiled without, and the key
changes with everything the code depends on."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import ziggurat
from ziggurat import cache, progress
from ziggurat.cache import Cache
from ziggurat.targets.cpu import CpuTarget
from ziggurat.targets.target import target_named

# Large enough for a constant copied in after loading (LARGE_CONSTANT_BYTES).
N = 2000
MODEL = f"""
func.func @main(%x: tensor<{N}xf32>) -> tensor<{N}xf32> {{
  %c = graph.constant dense<2.5> : tensor<{N}xf32>
  %y = graph.mul %x, %c : (tensor<{N}xf32>, tensor<{N}xf32>) -> tensor<{N}xf32>
  %z = graph.relu %y : tensor<{N}xf32>
  func.return %z : tensor<{N}xf32>
}}
"""
X = np.linspace(-1, 1, N, dtype=np.float32)
EXPECTED = np.maximum(X * 2.5, 0)


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    """An empty cache folder of this test's."""
    monkeypatch.setenv("ZIGGURAT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ZIGGURAT_CACHE_SIZE", raising=False)
    return tmp_path / "cache"


def phases(source: str, **options) -> tuple[list[str], np.ndarray]:
    """The top-level phases of compiling `source`, and its output on X."""
    with progress.recording() as root:
        compiled = ziggurat.compile(source, **options)
    return list(root.children), compiled(X)[0]


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"*{cache.SUFFIX}"))


def test_a_second_compile_loads_what_the_first_stored(folder):
    first, output = phases(MODEL)
    assert "import" in first and "load from cache" not in first
    np.testing.assert_array_equal(output, EXPECTED)
    second, output = phases(MODEL)
    assert second == ["cache lookup", "load from cache"]  # nothing compiled
    np.testing.assert_array_equal(output, EXPECTED)


def test_a_model_loaded_from_the_cache_reads_its_weights_where_the_entry_is_mapped(folder):
    phases(MODEL)
    loaded = ziggurat.compile(MODEL)
    (weights,) = loaded._functions.memory
    assert not weights.flags.owndata and not weights.flags.writeable  # the entry's pages
    assert weights.ctypes.data % 4096 == 0
    np.testing.assert_array_equal(weights.view(np.float32), np.full(N, 2.5, np.float32))
    np.testing.assert_array_equal(loaded(X)[0], EXPECTED)


def test_without_the_cache_nothing_is_read_or_written(folder):
    phases(MODEL, cache=False)
    assert not folder.exists() or not entries(folder)
    phases(MODEL)
    compiled, _ = phases(MODEL, cache=False)
    assert "load from cache" not in compiled


def test_a_corrupt_or_truncated_entry_is_compiled_again_not_loaded(folder):
    phases(MODEL)
    model_entry = max(entries(folder), key=lambda p: p.stat().st_size)
    data = bytearray(model_entry.read_bytes())
    for broken in (data[: len(data) // 2], data[:-1] + bytes([data[-1] ^ 0xFF])):
        model_entry.write_bytes(bytes(broken))
        again, output = phases(MODEL)
        assert "load from cache" not in again
        np.testing.assert_array_equal(output, EXPECTED)
    assert phases(MODEL)[0] == ["cache lookup", "load from cache"]  # written whole again


def test_a_corrupt_large_data_part_is_found_by_the_check_in_a_thread(tmp_path):
    store = Cache(tmp_path, 1 << 30)
    weights = bytes(range(256)) * (cache.CHECKED_LATER // 256 + 1)
    store.put("a" * 64, {"meta": b"small", "weights": weights})
    found = store.get_views("a" * 64)
    assert found is not None and found.intact() and bytes(found["weights"]) == weights
    path = store.path("a" * 64)
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF  # in the weights, checked in the thread
    path.write_bytes(bytes(data))
    found = store.get_views("a" * 64, later=lambda part: part == "weights")
    assert found is not None  # the other parts are whole
    assert not found.intact()
    assert not entries(tmp_path)  # and the entry is gone
    path.write_bytes(bytes(data))
    assert store.get_views("a" * 64) is None  # not named as data: checked as read
    path.write_bytes(bytes(data))
    assert store.get("a" * 64) is None


def test_a_model_whose_weights_are_corrupt_is_compiled_again(folder, monkeypatch):
    monkeypatch.setattr(cache, "CHECKED_LATER", 1000)  # the constant (8000 bytes) in a thread
    phases(MODEL)
    model_entry = max(entries(folder), key=lambda p: p.stat().st_size)
    data = bytearray(model_entry.read_bytes())
    at = data.find(np.full(N, 2.5, np.float32).tobytes())
    assert at > 0
    data[at : at + 4] = np.float32(-7.0).tobytes()  # the constant's first element
    model_entry.write_bytes(bytes(data))
    again, output = phases(MODEL)
    assert "load from cache" in again and "import" in again  # loaded, dropped, compiled
    np.testing.assert_array_equal(output, EXPECTED)
    assert phases(MODEL)[0] == ["cache lookup", "load from cache"]


def test_an_entry_under_another_key_is_not_loaded(tmp_path):
    store = Cache(tmp_path, 1 << 20)
    store.put("a" * 64, {"object": b"code"})
    os.replace(store.path("a" * 64), store.path("b" * 64))
    assert store.get("b" * 64) is None
    assert store.get("a" * 64) is None
    assert not entries(tmp_path)  # the misplaced entry is removed


def test_another_version_or_cpu_is_another_key(folder, monkeypatch):
    phases(MODEL)
    stored = set(entries(folder))
    monkeypatch.setattr(CpuTarget, "identity", lambda self: "cpu on another machine")
    assert "load from cache" not in phases(MODEL)[0]
    monkeypatch.undo()
    monkeypatch.setenv("ZIGGURAT_CACHE_DIR", str(folder))
    cache.versions.cache_clear()
    monkeypatch.setattr(cache, "versions", lambda: "ziggurat 0.0.1; xdsl 0.1")
    assert "load from cache" not in phases(MODEL)[0]
    assert stored < set(entries(folder))


@pytest.mark.parametrize(
    "options",
    ["cpu{threads=1}", "cpu{vector-bits=128}", "cpu{mcpu=x86-64}"],
)
def test_the_key_changes_with_the_target_and_its_options(options):
    default = target_named("cpu")
    other = target_named(options)
    assert other.identity() != default.identity()
    keys = {
        ziggurat.compile_key(MODEL, target, batch, fuse)
        for target in (default, other)
        for batch in (None, 1)
        for fuse in (True, False)
    }
    assert len(keys) == 8


def test_the_identity_names_the_cpu_and_its_features():
    identity = target_named("cpu").identity()
    cpu = target_named("cpu").cpu
    assert cpu.name in identity and cpu.features in identity


def test_two_processes_compiling_at_once_both_succeed_and_leave_a_whole_entry(folder, tmp_path):
    model = tmp_path / "model.mlir"
    model.write_text(MODEL)
    script = (
        "import sys, numpy as np, ziggurat\n"
        f"x = np.linspace(-1, 1, {N}, dtype=np.float32)\n"
        "y = ziggurat.compile(sys.argv[1])(x)[0]\n"
        "print(float(y.sum()))\n"
    )
    environment = {**os.environ, "ZIGGURAT_CACHE_DIR": str(folder)}
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(model)],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
        assert float(out) == pytest.approx(float(EXPECTED.sum()), rel=1e-5)
    assert not list(folder.glob("*.partial"))
    assert phases(str(model))[0] == ["cache lookup", "load from cache"]


def test_an_unwritable_folder_is_said_once_and_compiled_without(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a file"
    blocker.write_text("")
    monkeypatch.setenv("ZIGGURAT_CACHE_DIR", str(blocker / "cache"))
    for _ in range(2):
        _, output = phases(MODEL)
        np.testing.assert_array_equal(output, EXPECTED)
    warnings = [line for line in capsys.readouterr().err.splitlines() if "cache" in line]
    assert len(warnings) == 1
    assert "cannot write the compile cache" in warnings[0]
    assert "compiling without it" in warnings[0]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
def test_a_read_only_folder_is_said_once_and_compiled_without(folder, capsys):
    folder.mkdir()
    folder.chmod(0o500)
    try:
        for _ in range(2):
            np.testing.assert_array_equal(phases(MODEL)[1], EXPECTED)
    finally:
        folder.chmod(0o700)
    assert capsys.readouterr().err.count("cannot write the compile cache") == 1


def test_a_full_disk_is_said_once_and_compiled_without(folder, monkeypatch, capsys):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(cache.tempfile, "mkstemp", full)
    for _ in range(2):
        np.testing.assert_array_equal(phases(MODEL)[1], EXPECTED)
    err = capsys.readouterr().err
    assert err.count("cannot write the compile cache") == 1
    assert os.strerror(errno.ENOSPC) in err
    assert not entries(folder)


def test_the_least_recently_used_entries_go_first(tmp_path):
    store = Cache(tmp_path, 10_000)
    for index, name in enumerate("abc"):
        store.put(name * 64, {"object": bytes(3000)})
        os.utime(store.path(name * 64), (1000 + index, 1000 + index))
    # Reading an entry marks it used: "a", stored first, outlives "b".
    assert store.get("a" * 64) is not None
    store.put("d" * 64, {"object": bytes(3000)})
    assert {path.name[0] for path in entries(tmp_path)} == {"a", "c", "d"}
    assert sum(path.stat().st_size for path in entries(tmp_path)) <= 10_000


def test_what_a_killed_writer_left_goes_after_an_hour(tmp_path):
    store = Cache(tmp_path, 1 << 20)
    old, recent = tmp_path / "old.partial", tmp_path / "recent.partial"
    for path in (old, recent):
        path.write_bytes(b"half an entry")
    os.utime(old, (1000, 1000))
    store.put("a" * 64, {"object": b"code"})
    assert not old.exists() and recent.exists()


def test_the_bound_is_read_from_the_environment(monkeypatch):
    for text, size in [("500M", 500 << 20), ("2G", 2 << 30), ("4096", 4096), ("1.5K", 1536)]:
        monkeypatch.setenv("ZIGGURAT_CACHE_SIZE", text)
        assert cache.size_bound() == size
    monkeypatch.setenv("ZIGGURAT_CACHE_SIZE", "lots")
    with pytest.raises(ziggurat.ZigguratError, match="ZIGGURAT_CACHE_SIZE"):
        cache.size_bound()


def test_the_folder_is_the_users_unless_moved(monkeypatch, tmp_path):
    monkeypatch.delenv("ZIGGURAT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    if sys.platform.startswith("linux"):
        assert cache.default_folder() == tmp_path / "ziggurat"
    monkeypatch.setenv("ZIGGURAT_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert cache.default_folder() == tmp_path / "elsewhere"


def test_the_targets_compile_reuses_the_code_of_each_unit(folder):
    """The tuner's builder compiles loop-level modules through the target: a function
    compiled before is not built again."""
    from ziggurat.pipeline import lower

    module = lower(ziggurat.load_module(MODEL), "loop", "cpu")
    target = target_named("cpu")
    with progress.recording() as first, progress.phase("cpu code"):
        target.compile(module)
    with progress.recording() as second, progress.phase("cpu code"):
        compiled = target.compile(module)
    # The function's unit, and the unit of its constant (always built: no work).
    assert "build 2 units on 1 processes" in first.children["cpu code"].children
    assert "build 1 units on 1 processes" in second.children["cpu code"].children
    out = np.empty(N, np.float32)
    compiled.main(X, out)
    np.testing.assert_array_equal(out, EXPECTED)


def onnx_file(path: Path, scale: float, external: bool = False) -> Path:
    """A model computing x * scale (the scale an initializer, in a file of its own where
    `external`), saved at `path`."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    weight = numpy_helper.from_array(np.full(N, scale, np.float32), "w")
    graph = helper.make_graph(
        [helper.make_node("Mul", ["x", "w"], ["y"])],
        "scale",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [N])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [N])],
        initializer=[weight],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(model, str(path), save_as_external_data=external, size_threshold=0)
    return path


@pytest.mark.parametrize("external", [False, True])
def test_a_model_file_compiled_before_is_found_without_reading_it_and_edits_are_seen(
    folder, tmp_path, monkeypatch, external
):
    path = onnx_file(tmp_path / "scale.onnx", 2.0, external)
    first, output = phases(str(path))
    assert "import" in first
    np.testing.assert_array_equal(output, X * 2)
    with monkeypatch.context() as patched:
        patched.setattr(ziggurat, "onnx_file_parts", lambda _: pytest.fail("read again"))
        second, output = phases(str(path))
    assert "load from cache" in second
    np.testing.assert_array_equal(output, X * 2)
    # The same size, another scale: the file's stamp changed, so it is read and compiled.
    onnx_file(path, 3.0, external)
    third, output = phases(str(path))
    assert "import" in third
    np.testing.assert_array_equal(output, X * 3)


def test_an_edit_of_a_models_external_data_alone_is_seen(folder, tmp_path):
    import onnx

    path = onnx_file(tmp_path / "scale.onnx", 2.0, external=True)
    np.testing.assert_array_equal(phases(str(path))[1], X * 2)
    model = onnx.load(str(path), load_external_data=False)
    entries = {e.key: e.value for e in model.graph.initializer[0].external_data}
    (tmp_path / entries["location"]).write_bytes(np.full(N, 4.0, np.float32).tobytes())
    third, output = phases(str(path))
    assert "import" in third
    np.testing.assert_array_equal(output, X * 4)


def test_unsigned_results_stay_unsigned_when_loaded_from_the_cache(folder, tmp_path):
    import onnx
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Add", ["a", "b"], ["c"])],
        "unsigned",
        [helper.make_tensor_value_info(n, TensorProto.UINT8, [4]) for n in "ab"],
        [helper.make_tensor_value_info("c", TensorProto.UINT8, [4])],
    )
    path = tmp_path / "unsigned.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    a = np.array([1, 100, 200, 255], np.uint8)
    for expected_phase in ("import", "load from cache"):
        with progress.recording() as root:
            compiled = ziggurat.compile(str(path))
        assert expected_phase in root.children
        (result,) = compiled(a, a)
        assert result.dtype == np.uint8
        np.testing.assert_array_equal(result, a + a)
