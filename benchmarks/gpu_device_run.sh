#!/usr/bin/env bash
# Ziggurat's GPU checks on a machine with an NVIDIA GPU and no network, in one run of at most
# about eight minutes (ZIGGURAT_GPU_BUDGET seconds, 460 unless set; each step has a time
# limit within what is left, and a step that fails does not stop the next):
#   1. set up offline: the wheels of .whl/ whose packages the machine lacks (or has older;
#      xdsl and llvmlite: unless it has their versions) unpacked into a folder on PYTHONPATH, and
#      this checkout importable as `ziggurat` (a link and the package's entry points);
#   2. benchmarks/gpu.py: f32 matmul 1024 and 4096 (default and hand-picked knobs), f16
#      matmul 4096, conv2d 1x64x56x56 -> 64 3x3, ResNet-18, beside PyTorch: the figures;
#   3. the GPU tests: kernels and ONNX models against numpy and onnxruntime, ptxas limits;
#   4. `ziggurat run --target cuda` on the example MLP and two exported ONNX models, and
#      `ziggurat tune --target cuda` on a 512^3 matmul (24 trials; its log in $OUT/tune);
#   5. ONNX's own model tests, then its node tests, on the GPU (as many as the time left
#      allows: the failures as they come, then the counts so far).
# Everything printed goes to $OUT/gpu_device_run.log too (when OUT is set).
#
#     bash benchmarks/gpu_device_run.sh          # from the repository root
#
# With the device tool: run(command="bash benchmarks/gpu_device_run.sh", carry=[".whl"],
# timeout_s=540). The GPU machine has Python 3.12, PyTorch, cuda-bindings and llvmlite;
# .whl/ (git-ignored: .git/info/exclude) holds what else Ziggurat and its tests import
# (each used where the machine lacks it or has an older version),
# about 55 MB of the 64 MB a run carries with the checkout (onnxruntime, 28 MB, does not
# fit: where it is missing, the tests that compare with it are left out and `ziggurat run`
# compares with numpy's reference instead). It was made with
#
#     python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 \
#       --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
#       --platform manylinux2014_x86_64 -d .whl xdsl==0.74.0 llvmlite==0.50.0 \
#       immutabledict==4.2.1 ordered-set==4.1.0 typing-extensions==4.15.0 onnx==1.23.2 \
#       protobuf ml_dtypes rich markdown-it-py mdurl pygments pytest iniconfig pluggy \
#       packaging hypothesis sortedcontainers
#
# and llvmlite's wheel (60 MB) repacked to 38 MB: its library stripped of debugging symbols
# (strip --strip-unneeded llvmlite/binding/libllvmlite.so), its RECORD's hashes redone, and
# the files zipped again with LZMA (Python's zipfile, ZIP_LZMA).

set -u
cd "$(dirname "$0")/.."
export PYTHONUNBUFFERED=1
PYTHON=${PYTHON:-python3}
SITE=${ZIGGURAT_SITE:-/tmp/ziggurat-site}
WHEELS=${ZIGGURAT_WHEELS:-.whl}
BUDGET=${ZIGGURAT_GPU_BUDGET:-460}
LOGS=${OUT:-/tmp/ziggurat-gpu-run}
mkdir -p "$LOGS"
exec > >(tee "$LOGS/gpu_device_run.log") 2>&1
VERDICTS=()

step() {  # step NAME SECONDS COMMAND...: run it within its limit and the budget left
  local name=$1 limit=$2
  shift 2
  local left=$((BUDGET - SECONDS))
  [ "$limit" -gt "$left" ] && limit=$left
  echo
  if [ "$limit" -lt 10 ]; then
    echo "=== $name: SKIPPED (the budget of $BUDGET s is spent)"
    VERDICTS+=("$name: SKIPPED")
    return
  fi
  echo "=== $name ($(date +%H:%M:%S), at most ${limit} s)"
  local start=$SECONDS
  STEP_LIMIT=$limit timeout --kill-after=5 "$limit" "$@"
  local status=$?
  local verdict=ok
  [ "$status" -ne 0 ] && verdict="FAILED (exit $status)"
  [ "$status" -eq 124 ] && verdict="TIMED OUT"
  echo "=== $name: $verdict after $((SECONDS - start)) s"
  VERDICTS+=("$name: $verdict after $((SECONDS - start)) s")
}

setup() {
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true
  rm -rf "$SITE"
  mkdir -p "$SITE"
  # Unpacking a wheel onto PYTHONPATH installs it (none of these needs its scripts), with
  # no pip: what the machine has already is kept, so PyTorch's own packages stay as they are.
  "$PYTHON" - "$WHEELS" "$SITE" <<'EOF' || return 1
import re, sys, zipfile
from importlib import metadata
from pathlib import Path


def number(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])


print("Python", sys.version.split()[0])
wheels, site = Path(sys.argv[1]), sys.argv[2]
pinned = {"xdsl", "llvmlite"}  # the versions Ziggurat is built and tested against
for wheel in sorted(wheels.glob("*.whl")):
    name, version = wheel.name.split("-")[:2]
    try:
        present = metadata.version(name)
    except metadata.PackageNotFoundError:
        present = None
    older = present is not None and number(present) < number(version)  # onnx needs protobuf 6
    if present is None or older or (name.lower() in pinned and present != version):
        print(f"  {name} {version}: from {wheel.name}" + (f" (not {present})" if present else ""))
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(site)
    else:
        print(f"  {name} {present}: the machine's")
for name in ("numpy", "torch", "cuda-bindings", "onnxruntime"):
    try:
        print(f"  {name} {metadata.version(name)}: the machine's")
    except metadata.PackageNotFoundError:
        print(f"  {name}: MISSING")
EOF
  # This checkout as the package `ziggurat` (the repository root is the package), with
  # the entry points through which it finds its targets.
  ln -s "$PWD" "$SITE/ziggurat"
  local info="$SITE/ziggurat-0.1.0.dist-info"
  mkdir -p "$info"
  printf 'Metadata-Version: 2.1\nName: ziggurat\nVersion: 0.1.0\n' > "$info/METADATA"
  printf '[ziggurat.targets]\ncpu = ziggurat.targets.cpu:CpuTarget\ncuda = ziggurat.targets.cuda:CudaTarget\n' > "$info/entry_points.txt"
  : > "$info/RECORD"
  PYTHONPATH="$SITE" "$PYTHON" - <<'EOF'
import llvmlite, xdsl
from importlib.metadata import version
from ziggurat.targets.target import target_classes
from ziggurat.targets.cuda import runtime
print("xdsl", version("xdsl"), "llvmlite", llvmlite.__version__, "targets", sorted(target_classes()))
from ziggurat.diagnostics import ZigguratError
try:
    print("GPU: compute capability %d.%d, %d SMs" % runtime.device_properties(), "backend:", runtime.backend().name)
except ZigguratError as error:
    raise SystemExit(f"GPU: none ({error.message})")
EOF
}

gpu_tests() {  # the GPU's tests; those that compare with onnxruntime where it is installed
  local ignore=()
  if ! "$PYTHON" -c "import onnxruntime" 2>/dev/null; then
    echo "onnxruntime is not installed: tests/targets/cuda/test_models.py is left out"
    ignore=(--ignore tests/targets/cuda/test_models.py)
  fi
  "$PYTHON" -m pytest -p no:cacheprovider -rfEs -q tests/targets/cuda "${ignore[@]}" \
    -k "on_the_gpu or ptxas or in_registers"
}

ziggurat_run() {  # the driver on the example and on two exported models, on the GPU
  local driver='import sys; from ziggurat.tools.ziggurat import main; sys.exit(main(sys.argv[1:]))'
  local status=0
  "$PYTHON" -c "$driver" run examples/mlp.mlir --target cuda --repeat 20 || status=1
  "$PYTHON" -c "$driver" run tests/data/torch_squeezenet_small.onnx --target cuda --batch 2 --repeat 20 || status=1
  "$PYTHON" -c "$driver" run tests/data/torch_encoder_layer.onnx --target cuda --batch 3 --repeat 20 || status=1
  return $status
}

tune() {  # the tuner on the GPU: a 512 x 512 x 512 matmul, 24 trials, default against tuned
  local folder=${LOGS}/tune
  mkdir -p "$folder"
  "$PYTHON" - "$folder/matmul512.onnx" <<'EOF'
import sys
import numpy as np
from onnx import TensorProto, helper, numpy_helper, save
w = numpy_helper.from_array(np.random.default_rng(0).standard_normal((512, 512)).astype(np.float32), "w")
graph = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"])], "mm",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, (512, 512))],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, (512, 512))], [w])
save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), sys.argv[1])
EOF
  rm -f "$folder/tuning.jsonl"
  "$PYTHON" -c 'import sys; from ziggurat.tools.ziggurat import main; sys.exit(main(sys.argv[1:]))' \
    tune "$folder/matmul512.onnx" --target cuda --trials 24 --batch 8 --search random \
    --model random --min-seconds 0.05 --log "$folder/tuning.jsonl"
}

benchmarks() {  # the figures, kept for the summary at the end
  "$PYTHON" benchmarks/gpu.py --runs 20 | tee "$LOGS/gpu_benchmarks.txt"
  return "${PIPESTATUS[0]}"
}

onnx_tests() {  # ONNX's model, then node, cases on the GPU: failures as they come, counts at the end
  # pytest stops 10 s before the step's limit, so that the counts are printed whatever happens;
  # -vv: a line for each case (pyproject's addopts have -q).
  ZIGGURAT_ONNX_DEVICE=CUDA timeout $((STEP_LIMIT - 10)) "$PYTHON" -m pytest -p no:cacheprovider \
    -vv --tb=no -rf tests/frontends/test_onnx_backend.py::test_pytorch_model \
    tests/frontends/test_onnx_backend.py::test_node 2>&1 |
    awk '/ PASSED/ { passed++ } / XFAIL/ { xfail++ } / SKIPPED/ { skipped++ }
         / (FAILED|ERROR)/ && !/^(FAILED|ERROR) / && failed++ < 30 { print }
         /^(FAILED|ERROR) / { print > "'"$LOGS"'/onnx_failures.txt" }
         /^onnx .* tests:/ || /^=+ .* in [0-9.]+s/ { print }
         END { printf "ONNX cases on the GPU: %d passed, %d failed, %d xfail, %d skipped\n",
                      passed, failed, xfail, skipped }'
  return "${PIPESTATUS[0]}"
}

export PYTHON SITE WHEELS LOGS
export -f setup benchmarks gpu_tests ziggurat_run tune onnx_tests
step "set up (offline)" 60 bash -c setup
export PYTHONPATH="$SITE${PYTHONPATH:+:$PYTHONPATH}"
step "benchmarks/gpu.py" 210 bash -c benchmarks
step "GPU tests" 100 bash -c gpu_tests
step "ziggurat run --target cuda" 45 bash -c ziggurat_run
step "ziggurat tune --target cuda" 90 bash -c tune
step "ONNX's model and node tests on the GPU" 120 bash -c onnx_tests
echo
echo "=== summary ($(date +%H:%M:%S), ${SECONDS} s in all; logs in $LOGS)"
printf '%s\n' "${VERDICTS[@]}"
grep -E '^(GPU:| {44}|matmul|conv2d|resnet18|  failed|no GPU)' "$LOGS/gpu_benchmarks.txt" 2>/dev/null
