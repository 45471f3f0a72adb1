#!/usr/bin/env bash
# Ziggurat's GPU checks on a machine with an NVIDIA GPU and no network, in one run of about
# five minutes (each step has a time limit; a step that fails does not stop the next):
#   1. install what the machine lacks from .whl/ (into a folder on PYTHONPATH) and make
#      this checkout importable as `ziggurat` (a link and the package's entry points);
#   2. `ziggurat run` of the example MLP and two exported ONNX models on --target cuda;
#   3. benchmarks/gpu.py: matmul, conv2d and ResNet-18 beside PyTorch;
#   4. the GPU tests: kernels and ONNX models against numpy and onnxruntime, ptxas limits;
#   5. ONNX's own node and model tests (tests/frontends/test_onnx_backend.py) on the GPU.
# Everything printed goes to $OUT/gpu_device_run.log too (when OUT is set).
#
#     bash benchmarks/gpu_device_run.sh          # from the repository root
#
# .whl/ (git-ignored: .git/info/exclude) holds the wheels the GPU machine (Python 3.12,
# numpy, onnx, onnxruntime, torch, cuda-bindings, pytest, hypothesis) does not have:
#
#     python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 \
#       --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
#       --platform manylinux2014_x86_64 -d .whl xdsl==0.74.0 llvmlite==0.50.0 \
#       immutabledict==4.2.1 ordered-set==4.1.0 typing-extensions==4.15.0
#
# llvmlite's wheel (60 MB) is repacked to fit what a device run carries (64 MB): its
# library stripped of debugging symbols (strip --strip-unneeded
# llvmlite/binding/libllvmlite.so), its RECORD's hashes redone, and the files zipped again
# with LZMA (Python's zipfile, ZIP_LZMA), 38 MB; pip installs it as any wheel.

set -u
cd "$(dirname "$0")/.."
export PYTHONUNBUFFERED=1
PYTHON=${PYTHON:-python3}
SITE=${ZIGGURAT_SITE:-/tmp/ziggurat-site}
if [ -n "${OUT:-}" ]; then
  mkdir -p "$OUT"
  exec > >(tee "$OUT/gpu_device_run.log") 2>&1
fi

step() {  # step NAME SECONDS COMMAND...: run it with a time limit, say how it ended
  local name=$1 limit=$2
  shift 2
  echo
  echo "=== $name ($(date +%H:%M:%S), at most ${limit} s)"
  local start=$SECONDS
  timeout --kill-after=10 "$limit" "$@"
  local status=$?
  local verdict=ok
  [ "$status" -ne 0 ] && verdict="FAILED (exit $status)"
  [ "$status" -eq 124 ] && verdict="TIMED OUT"
  echo "=== $name: $verdict after $((SECONDS - start)) s"
}

setup() {
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true
  "$PYTHON" --version
  "$PYTHON" -m pip list 2>/dev/null | grep -iE '^(numpy|onnx|onnxruntime|llvmlite|xdsl|cuda|torch|pytest|hypothesis) ' || true
  rm -rf "$SITE"
  mkdir -p "$SITE"
  "$PYTHON" -m pip install -q --no-index --no-deps --no-compile --target "$SITE" .whl/*.whl || return 1
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
print("GPU: compute capability %d.%d, %d SMs" % runtime.device_properties(), "backend:", runtime.backend().name)
EOF
}

ziggurat_run() {  # the driver on the example and on two exported models, on the GPU
  local driver='import sys; from ziggurat.tools.ziggurat import main; sys.exit(main(sys.argv[1:]))'
  local status=0
  "$PYTHON" -c "$driver" run examples/mlp.mlir --target cuda --repeat 20 || status=1
  "$PYTHON" -c "$driver" run tests/data/torch_squeezenet_small.onnx --target cuda --batch 2 --repeat 20 || status=1
  "$PYTHON" -c "$driver" run tests/data/torch_encoder_layer.onnx --target cuda --batch 3 --repeat 20 || status=1
  return $status
}

export PYTHON SITE
export -f setup ziggurat_run
step "set up (offline)" 120 bash -c setup
export PYTHONPATH="$SITE${PYTHONPATH:+:$PYTHONPATH}"
step "ziggurat run --target cuda" 90 bash -c ziggurat_run
step "benchmarks/gpu.py" 270 "$PYTHON" benchmarks/gpu.py --runs 20
step "GPU tests" 210 "$PYTHON" -m pytest -p no:cacheprovider -rs -q tests/targets/cuda \
  -k "on_the_gpu or ptxas or in_registers"
step "ONNX's node and model tests on the GPU" 240 env ZIGGURAT_ONNX_DEVICE=CUDA \
  "$PYTHON" -m pytest -p no:cacheprovider -q tests/frontends/test_onnx_backend.py \
  -k "test_node or test_pytorch_model"
echo
echo "=== done ($(date +%H:%M:%S), ${SECONDS} s in all)"
