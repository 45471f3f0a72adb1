"""The thread pool that runs `#loop.parallel` loops, written in LLVM IR over pthreads.

`loop-to-llvm` turns a parallel loop into a call `ziggurat_parallel_for(fn, context, lb, ub,
step)`, where `fn(context, begin, end)` runs the iterations in `[begin, end)`. The pool splits
the iterations into a few contiguous chunks per thread, which the calling thread and the
workers claim one at a time, and returns when all are done. Workers are created once per
process, on the first parallel loop, and wait for the next one spinning a little, then
sleeping on a condition variable. Nothing here needs a C compiler: the IR is JIT-compiled once
per process and its entry points are registered as symbols for the kernels' engines.

One parallel loop runs on the pool at a time: a parallel loop started while another runs (in
a worker, or from a second Python thread) runs on its own thread instead. A forked child
starts its own workers. The number of threads is `ZIGGURAT_NUM_THREADS`, else the CPUs this
process may run on; `set_num_threads` changes it.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import threading
from functools import cache

import llvmlite.binding as llvm

from ziggurat.diagnostics import ZigguratError
from ziggurat.targets.cpu import jit

# Iterations of the spin loops before a thread sleeps, about 0.1 ms (as OpenMP runtimes
# spin): back-to-back kernels called from Python find the workers awake, and a worker woken
# from sleep can take milliseconds to get a core back when other processes keep it busy.
SPIN = 1 << 20
# Stack bytes of a worker thread, as a Linux main thread has by default.
STACK_SIZE = 8 << 20
# A loop is split into this many chunks per thread, claimed one at a time, so a thread that
# falls behind (another process took its core) leaves its chunks to the others.
CHUNKS_PER_THREAD = 4

# The job word holds the job's generation (high 32 bits) and its chunks not yet claimed (low
# 32 bits): claiming a chunk is one compare-and-swap that fails if the job changed, so a
# worker waking late never touches a newer job's fields. pthread_mutex_t and pthread_cond_t
# and pthread_attr_t are opaque: 128 bytes holds any of them on Linux and macOS.
RUNTIME_IR = """
@threads = internal global i32 1
@workers = internal global i64 0
@handles = internal global ptr null
@pid = internal global i32 0
@busy = internal global i32 0
@quit = internal global i32 0
@first_generation = internal global i32 0
@job = internal global i64 0
@finished = internal global i32 0
@sleepers = internal global i32 0
@caller_sleeps = internal global i32 0
@job_fn = internal global ptr null
@job_context = internal global ptr null
@job_lb = internal global i64 0
@job_ub = internal global i64 0
@job_step = internal global i64 0
@job_trips = internal global i64 0
@job_chunks = internal global i64 0
@mutex = internal global [128 x i8] zeroinitializer, align 64
@wake = internal global [128 x i8] zeroinitializer, align 64
@done = internal global [128 x i8] zeroinitializer, align 64
@attributes = internal global [128 x i8] zeroinitializer, align 64

declare i32 @pthread_create(ptr, ptr, ptr, ptr)
declare i32 @pthread_attr_init(ptr)
declare i32 @pthread_attr_setstacksize(ptr, i64)
declare i32 @pthread_attr_destroy(ptr)
declare i32 @pthread_join(i64, ptr)
declare i32 @pthread_mutex_init(ptr, ptr)
declare i32 @pthread_mutex_lock(ptr)
declare i32 @pthread_mutex_unlock(ptr)
declare i32 @pthread_cond_init(ptr, ptr)
declare i32 @pthread_cond_wait(ptr, ptr)
declare i32 @pthread_cond_broadcast(ptr)
declare i32 @pthread_cond_signal(ptr)
declare i32 @getpid()
declare ptr @malloc(i64)
declare void @free(ptr)
declare i64 @llvm.smin.i64(i64, i64)
declare i64 @llvm.smax.i64(i64, i64)

define void @ziggurat_set_num_threads(i32 %n) {
  store atomic i32 %n, ptr @threads monotonic, align 4
  ret void
}

define i32 @ziggurat_get_num_threads() {
  %n = load atomic i32, ptr @threads monotonic, align 4
  ret i32 %n
}

; Run chunk `index` of the job: near-equal contiguous parts of its iterations.
define internal void @run_chunk(i64 %index) {
entry:
  %fn = load ptr, ptr @job_fn
  %context = load ptr, ptr @job_context
  %lb = load i64, ptr @job_lb
  %ub = load i64, ptr @job_ub
  %step = load i64, ptr @job_step
  %trips = load i64, ptr @job_trips
  %chunks = load i64, ptr @job_chunks
  %quotient = sdiv i64 %trips, %chunks
  %remainder = srem i64 %trips, %chunks
  %longer = icmp slt i64 %index, %remainder
  %longer_before = select i1 %longer, i64 %index, i64 %remainder
  %base = mul i64 %index, %quotient
  %first = add i64 %base, %longer_before
  %extra = zext i1 %longer to i64
  %count = add i64 %quotient, %extra
  %last = add i64 %first, %count
  %begin_offset = mul i64 %first, %step
  %begin = add i64 %lb, %begin_offset
  %end_offset = mul i64 %last, %step
  %end_unclamped = add i64 %lb, %end_offset
  %end = call i64 @llvm.smin.i64(i64 %end_unclamped, i64 %ub)
  call void %fn(ptr %context, i64 %begin, i64 %end)
  ret void
}

; Claim and run chunks of job `generation` until none is left. The last chunk to finish
; wakes the caller if it sleeps: each side publishes its own flag (@finished,
; @caller_sleeps) before reading the other's, sequentially consistent, so one sees the other.
define internal void @run_chunks(i32 %generation) {
entry:
  %generation64 = zext i32 %generation to i64
  %tag = shl i64 %generation64, 32
  br label %claim
claim:
  %word = load atomic i64, ptr @job acquire, align 8
  %word_tag = and i64 %word, -4294967296
  %same_job = icmp eq i64 %word_tag, %tag
  %left = and i64 %word, 4294967295
  %some_left = icmp ne i64 %left, 0
  %can_claim = and i1 %same_job, %some_left
  br i1 %can_claim, label %take, label %exit
take:
  %taken = sub i64 %word, 1
  %result = cmpxchg ptr @job, i64 %word, i64 %taken acq_rel acquire
  %ok = extractvalue { i64, i1 } %result, 1
  br i1 %ok, label %run, label %claim
run:
  %chunk = sub i64 %left, 1
  call void @run_chunk(i64 %chunk)
  %chunks = load i64, ptr @job_chunks
  %before = atomicrmw add ptr @finished, i32 1 seq_cst
  %after = add i32 %before, 1
  %after64 = zext i32 %after to i64
  %all_done = icmp eq i64 %after64, %chunks
  %sleeps = load atomic i32, ptr @caller_sleeps seq_cst, align 4
  %caller_sleeps = icmp ne i32 %sleeps, 0
  %wake_caller = and i1 %all_done, %caller_sleeps
  br i1 %wake_caller, label %signal, label %claim
signal:
  call i32 @pthread_mutex_lock(ptr @mutex)
  call i32 @pthread_cond_signal(ptr @done)
  call i32 @pthread_mutex_unlock(ptr @mutex)
  br label %claim
exit:
  ret void
}

; Spin, then sleep on @done, until all `chunks` chunks are finished.
define internal void @wait_for_chunks(i64 %chunks) {
entry:
  br label %spin
spin:
  %i = phi i32 [ 0, %entry ], [ %next, %again ]
  %finished = load atomic i32, ptr @finished acquire, align 4
  %finished64 = zext i32 %finished to i64
  %all_done = icmp eq i64 %finished64, %chunks
  br i1 %all_done, label %exit, label %again
again:
  %next = add i32 %i, 1
  %more = icmp slt i32 %next, SPIN
  br i1 %more, label %spin, label %sleep
sleep:
  call i32 @pthread_mutex_lock(ptr @mutex)
  store atomic i32 1, ptr @caller_sleeps seq_cst, align 4
  br label %check
check:
  %now = load atomic i32, ptr @finished seq_cst, align 4
  %now64 = zext i32 %now to i64
  %now_done = icmp eq i64 %now64, %chunks
  br i1 %now_done, label %unlock, label %wait
wait:
  call i32 @pthread_cond_wait(ptr @done, ptr @mutex)
  br label %check
unlock:
  store atomic i32 0, ptr @caller_sleeps monotonic, align 4
  call i32 @pthread_mutex_unlock(ptr @mutex)
  br label %exit
exit:
  ret void
}

; A worker: spin, then sleep on @wake, until a job with a new generation is published (or
; @quit is set); help with its chunks; wait again. A sleeper counts itself in @sleepers
; before looking at @job again, so the caller, which publishes @job before reading
; @sleepers, wakes it or it sees the job.
define internal ptr @worker(ptr %unused) {
entry:
  %first = load i32, ptr @first_generation
  br label %wait
wait:
  %seen = phi i32 [ %first, %entry ], [ %generation, %job ]
  br label %spin
spin:
  %i = phi i32 [ 0, %wait ], [ %next, %again ]
  %word = load atomic i64, ptr @job acquire, align 8
  %word_high = lshr i64 %word, 32
  %spun = trunc i64 %word_high to i32
  %new_job = icmp ne i32 %spun, %seen
  br i1 %new_job, label %job, label %again
again:
  %next = add i32 %i, 1
  %more = icmp slt i32 %next, SPIN
  br i1 %more, label %spin, label %sleep
sleep:
  call i32 @pthread_mutex_lock(ptr @mutex)
  atomicrmw add ptr @sleepers, i32 1 seq_cst
  br label %check
check:
  %now_word = load atomic i64, ptr @job seq_cst, align 8
  %now_high = lshr i64 %now_word, 32
  %now = trunc i64 %now_high to i32
  %woken = icmp ne i32 %now, %seen
  br i1 %woken, label %unlock, label %check_quit
check_quit:
  %quit = load atomic i32, ptr @quit monotonic, align 4
  %stop = icmp ne i32 %quit, 0
  br i1 %stop, label %exit, label %block
block:
  call i32 @pthread_cond_wait(ptr @wake, ptr @mutex)
  br label %check
unlock:
  atomicrmw sub ptr @sleepers, i32 1 seq_cst
  call i32 @pthread_mutex_unlock(ptr @mutex)
  br label %job
job:
  %generation = phi i32 [ %spun, %spin ], [ %now, %unlock ]
  call void @run_chunks(i32 %generation)
  br label %wait
exit:
  atomicrmw sub ptr @sleepers, i32 1 seq_cst
  call i32 @pthread_mutex_unlock(ptr @mutex)
  ret ptr null
}

; Ask the workers to quit and join them. The caller holds @busy.
define internal void @stop_workers() {
entry:
  %count = load i64, ptr @workers
  call i32 @pthread_mutex_lock(ptr @mutex)
  store atomic i32 1, ptr @quit monotonic, align 4
  call i32 @pthread_cond_broadcast(ptr @wake)
  call i32 @pthread_mutex_unlock(ptr @mutex)
  %handles = load ptr, ptr @handles
  br label %test
test:
  %i = phi i64 [ 0, %entry ], [ %next, %join ]
  %more = icmp slt i64 %i, %count
  br i1 %more, label %join, label %exit
join:
  %slot = getelementptr i64, ptr %handles, i64 %i
  %handle = load i64, ptr %slot
  call i32 @pthread_join(i64 %handle, ptr null)
  %next = add i64 %i, 1
  br label %test
exit:
  call void @free(ptr %handles)
  store ptr null, ptr @handles
  store i64 0, ptr @workers
  ret void
}

; Make `threads - 1` workers run in this process; returns how many do. The caller holds @busy.
define internal i64 @start_workers(i32 %threads) {
entry:
  %wanted32 = sub i32 %threads, 1
  %wanted = sext i32 %wanted32 to i64
  %pid = call i32 @getpid()
  %owner = load i32, ptr @pid
  %running = load i64, ptr @workers
  %same_process = icmp eq i32 %pid, %owner
  %same_count = icmp eq i64 %running, %wanted
  %ready = and i1 %same_process, %same_count
  br i1 %ready, label %keep, label %restart
keep:
  ret i64 %running
restart:
  %have_workers = icmp sgt i64 %running, 0
  %must_stop = and i1 %same_process, %have_workers
  br i1 %must_stop, label %stop, label %forget
stop:
  call void @stop_workers()
  br label %init
forget:
  ; In a forked child the parent's workers do not exist; their handles are a copy.
  %stale = load ptr, ptr @handles
  call void @free(ptr %stale)
  br label %init
init:
  call i32 @pthread_mutex_init(ptr @mutex, ptr null)
  call i32 @pthread_cond_init(ptr @wake, ptr null)
  call i32 @pthread_cond_init(ptr @done, ptr null)
  store atomic i32 0, ptr @quit monotonic, align 4
  store atomic i32 0, ptr @sleepers monotonic, align 4
  store atomic i32 0, ptr @caller_sleeps monotonic, align 4
  %word = load atomic i64, ptr @job monotonic, align 8
  %word_high = lshr i64 %word, 32
  %generation = trunc i64 %word_high to i32
  store i32 %generation, ptr @first_generation
  %bytes = mul i64 %wanted, 8
  %bytes_or_one = call i64 @llvm.smax.i64(i64 %bytes, i64 8)
  %handles = call ptr @malloc(i64 %bytes_or_one)
  store ptr %handles, ptr @handles
  store i32 %pid, ptr @pid
  ; Local buffers live on the stack: give workers as much as a Linux main thread has.
  call i32 @pthread_attr_init(ptr @attributes)
  call i32 @pthread_attr_setstacksize(ptr @attributes, i64 STACK_SIZE)
  br label %test
test:
  %created = phi i64 [ 0, %init ], [ %next, %create ]
  %more = icmp slt i64 %created, %wanted
  br i1 %more, label %create, label %exit
create:
  %slot = getelementptr i64, ptr %handles, i64 %created
  %next = add i64 %created, 1
  %failed = call i32 @pthread_create(ptr %slot, ptr @attributes, ptr @worker, ptr null)
  %ok = icmp eq i32 %failed, 0
  br i1 %ok, label %test, label %exit
exit:
  %count = phi i64 [ %created, %test ], [ %created, %create ]
  call i32 @pthread_attr_destroy(ptr @attributes)
  store i64 %count, ptr @workers
  ret i64 %count
}

define void @ziggurat_parallel_for(ptr %fn, ptr %context, i64 %lb, i64 %ub, i64 %step) {
entry:
  %nonempty = icmp slt i64 %lb, %ub
  br i1 %nonempty, label %count, label %return
count:
  %span = sub i64 %ub, %lb
  %rounded = add i64 %span, %step
  %rounded_down = sub i64 %rounded, 1
  %trips = sdiv i64 %rounded_down, %step
  %threads32 = load atomic i32, ptr @threads monotonic, align 4
  %several_threads = icmp sgt i32 %threads32, 1
  %several_trips = icmp sgt i64 %trips, 1
  %worth = and i1 %several_threads, %several_trips
  br i1 %worth, label %claim, label %serial
claim:
  %claimed = cmpxchg ptr @busy, i32 0, i32 1 acquire monotonic
  %free = extractvalue { i32, i1 } %claimed, 1
  br i1 %free, label %start, label %serial
start:
  %workers = call i64 @start_workers(i32 %threads32)
  %alone = icmp eq i64 %workers, 0
  br i1 %alone, label %release, label %publish
release:
  store atomic i32 0, ptr @busy release, align 4
  br label %serial
publish:
  %team = add i64 %workers, 1
  %wanted_chunks = mul i64 %team, CHUNKS_PER_THREAD
  %chunks = call i64 @llvm.smin.i64(i64 %wanted_chunks, i64 %trips)
  store ptr %fn, ptr @job_fn
  store ptr %context, ptr @job_context
  store i64 %lb, ptr @job_lb
  store i64 %ub, ptr @job_ub
  store i64 %step, ptr @job_step
  store i64 %trips, ptr @job_trips
  store i64 %chunks, ptr @job_chunks
  store atomic i32 0, ptr @finished monotonic, align 4
  %old = load atomic i64, ptr @job monotonic, align 8
  %old_high = lshr i64 %old, 32
  %generation64 = add i64 %old_high, 1
  %generation = trunc i64 %generation64 to i32
  %tag64 = zext i32 %generation to i64
  %tag = shl i64 %tag64, 32
  %word = or i64 %tag, %chunks
  store atomic i64 %word, ptr @job seq_cst, align 8
  %sleepers = load atomic i32, ptr @sleepers seq_cst, align 4
  %anyone_sleeps = icmp ne i32 %sleepers, 0
  br i1 %anyone_sleeps, label %wake, label %work
wake:
  call i32 @pthread_mutex_lock(ptr @mutex)
  call i32 @pthread_cond_broadcast(ptr @wake)
  call i32 @pthread_mutex_unlock(ptr @mutex)
  br label %work
work:
  call void @run_chunks(i32 %generation)
  call void @wait_for_chunks(i64 %chunks)
  store atomic i32 0, ptr @busy release, align 4
  br label %return
serial:
  call void %fn(ptr %context, i64 %lb, i64 %ub)
  br label %return
return:
  ret void
}

; Join the workers if no parallel loop is running; returns 1 if it did.
define i32 @ziggurat_stop_threads() {
entry:
  %claimed = cmpxchg ptr @busy, i32 0, i32 1 acquire monotonic
  %free = extractvalue { i32, i1 } %claimed, 1
  br i1 %free, label %claim, label %busy
claim:
  %pid = call i32 @getpid()
  %owner = load i32, ptr @pid
  %running = load i64, ptr @workers
  %same_process = icmp eq i32 %pid, %owner
  %have_workers = icmp sgt i64 %running, 0
  %must_stop = and i1 %same_process, %have_workers
  br i1 %must_stop, label %stop, label %release
stop:
  call void @stop_workers()
  br label %release
release:
  store atomic i32 0, ptr @busy release, align 4
  ret i32 1
busy:
  ret i32 0
}
"""

ENTRY_POINTS = (
    "ziggurat_parallel_for",
    "ziggurat_set_num_threads",
    "ziggurat_get_num_threads",
    "ziggurat_stop_threads",
)


def runtime_ir() -> str:
    text = RUNTIME_IR.replace("CHUNKS_PER_THREAD", str(CHUNKS_PER_THREAD))
    return text.replace("STACK_SIZE", str(STACK_SIZE)).replace("SPIN", str(SPIN))


def default_num_threads() -> int:
    """`ZIGGURAT_NUM_THREADS`, else the number of CPUs this process may run on."""
    value = os.environ.get("ZIGGURAT_NUM_THREADS")
    if value is None:
        if hasattr(os, "sched_getaffinity"):
            return len(os.sched_getaffinity(0))
        return os.cpu_count() or 1
    try:
        count = int(value)
    except ValueError:
        count = 0
    if count < 1:
        raise ZigguratError(f"ZIGGURAT_NUM_THREADS must be a positive integer, got '{value}'")
    return count


class Pool:
    """The compiled pool: its engine (kept for the life of the process) and entry points."""

    def __init__(self) -> None:
        self.engine = jit.load_objects([pool_object()])
        address = {name: self.engine.get_function_address(name) for name in ENTRY_POINTS}
        for name, value in address.items():
            llvm.add_symbol(name, value)
        self.set_threads = ctypes.CFUNCTYPE(None, ctypes.c_int32)(
            address["ziggurat_set_num_threads"]
        )
        self.get_threads = ctypes.CFUNCTYPE(ctypes.c_int32)(address["ziggurat_get_num_threads"])
        self.stop = ctypes.CFUNCTYPE(ctypes.c_int32)(address["ziggurat_stop_threads"])
        self.set_threads(default_num_threads())
        # Workers must be joined before the interpreter frees the engine holding their code.
        atexit.register(self.stop)


def pool_object() -> bytes:
    """The pool's object code for this host, from the cache of compiled code where it is
    there (compiling it takes a tenth of a second)."""
    from ziggurat import cache

    jit.initialize()
    store = cache.current()
    host = f"{llvm.get_host_cpu_name()} {llvm.get_host_cpu_features().flatten()}"
    key = cache.key("thread pool", cache.versions(), host, runtime_ir())
    found = store.get(key) if store is not None else None
    if found is not None:
        return found["object"]
    module = jit.parse(runtime_ir())
    jit.optimize(module)
    code = jit.emit_object(module)
    if store is not None:
        store.put(key, {"object": code})
    return code


@cache
def the_pool() -> Pool:
    return Pool()


def install() -> Pool:
    """Compile the pool once per process and make its symbols visible to kernels."""
    with COMPILING:  # two threads compiling their first kernels at once get one pool
        return the_pool()


COMPILING = threading.Lock()


def set_num_threads(count: int) -> None:
    """Run parallel loops on `count` threads (the caller's included) from now on."""
    if count < 1:
        raise ZigguratError(f"the number of threads must be positive, got {count}")
    install().set_threads(count)


def num_threads() -> int:
    """The number of threads parallel loops run on."""
    return install().get_threads()
