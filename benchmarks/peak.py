"""The CPU a benchmark runs on, and its measured peak: what a kernel's GFLOP/s are a share of.

`describe(target)` is the header the benchmarks print: the host's model name (from
/proc/cpuinfo), LLVM's name for the CPU the code is compiled for, its vector features, and
`fma_peak(target)`: GFLOP/s of a loop of independent vector FMAs (one chain per spare
register, as many as hide the FMA latency) compiled for that CPU and run on each of its
threads at once.

    python benchmarks/peak.py [--target 'cpu{mcpu=znver2}']
"""

from __future__ import annotations

import argparse
import ctypes
import threading
import time

ITERATIONS = 1 << 22


def fma_loop_ir(lanes: int, chains: int) -> str:
    """`fma_loop(n, out)`: n steps of `chains` independent FMAs on vectors of `lanes` f32."""
    vector = f"<{lanes} x float>"
    intrinsic = f"@llvm.fma.v{lanes}f32"
    splat = lambda value: f"<{', '.join([f'float {value}'] * lanes)}>"  # noqa: E731
    phis, steps, sums = [], [], []
    for c in range(chains):
        phis.append(f"  %a{c} = phi {vector} [{splat('0.0')}, %entry], [%b{c}, %loop]")
        steps.append(
            f"  %b{c} = call {vector} {intrinsic}({vector} %a{c}, {vector} {splat('0.5')},"
            f" {vector} {splat('0.25')})"
        )
    total = "%b0"
    for c in range(1, chains):
        sums.append(f"  %s{c} = fadd {vector} {total}, %b{c}")
        total = f"%s{c}"
    body = "\n".join([*phis, *steps])
    return f"""
declare {vector} {intrinsic}({vector}, {vector}, {vector})

define void @fma_loop(i64 %n, ptr %out) {{
entry:
  br label %loop
loop:
  %i = phi i64 [0, %entry], [%next, %loop]
{body}
  %next = add i64 %i, 1
  %done = icmp eq i64 %next, %n
  br i1 %done, label %exit, label %loop
exit:
{chr(10).join(sums)}
  store {vector} {total}, ptr %out, align 4
  ret void
}}
"""


def fma_peak(target: str = "cpu") -> float:
    """GFLOP/s of the FMA loop on every thread of `target`'s CPU at once (best of 3)."""
    from ziggurat.targets.cpu import jit
    from ziggurat.targets.target import target_named

    cpu = target_named(target).cpu  # type: ignore[attr-defined]
    lanes, chains = cpu.lanes(4), cpu.registers - 4
    machine = (cpu.name, cpu.features)
    module = jit.parse(fma_loop_ir(lanes, chains), machine)
    jit.optimize(module, machine=machine)
    engine = jit.compile_module(module, machine)
    loop = ctypes.CFUNCTYPE(None, ctypes.c_int64, ctypes.c_void_p)(
        engine.get_function_address("fma_loop")
    )
    outputs = [(ctypes.c_float * lanes)() for _ in range(cpu.threads)]
    loop(1000, ctypes.addressof(outputs[0]))  # warm up
    best = 0.0
    for _ in range(3):
        # ctypes releases the GIL: the threads run the loop at once.
        threads = [
            threading.Thread(target=loop, args=(ITERATIONS, ctypes.addressof(out)))
            for out in outputs
        ]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - start
        flops = 2 * lanes * chains * ITERATIONS * cpu.threads
        best = max(best, flops / seconds / 1e9)
    return best


def host_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def describe(target: str = "cpu") -> tuple[str, float]:
    """A header line about the CPU the code is compiled for, and its measured FMA peak."""
    from ziggurat.targets.target import target_named

    cpu = target_named(target).cpu  # type: ignore[attr-defined]
    features = " ".join(
        f.lstrip("+") for f in cpu.features.split(",") if f.startswith("+") and f[1:] in WIDE
    )
    peak = fma_peak(target)
    line = (
        f"host: {host_model()}; target {target}: LLVM CPU '{cpu.name}', "
        f"{cpu.vector_bits}-bit vectors x {cpu.registers} registers"
        f" ({features or 'the features LLVM gives it'}), {cpu.threads} threads; "
        f"measured FMA peak {peak:.1f} GFLOP/s"
    )
    return line, peak


WIDE = {"sse4.2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512vnni"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="cpu")
    args = parser.parse_args()
    print(describe(args.target)[0])


if __name__ == "__main__":
    main()
