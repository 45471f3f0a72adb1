"""Compiled code kept on disk, found again by a key made of everything it depends on, so
compiling the same thing twice does the work once.

A key is the hash of its parts: what is compiled (a model's bytes, a function's IR), the
target with its options and the hardware facts it reads (`Target.identity`), and the
versions of Ziggurat (its source), xDSL, llvmlite and LLVM (`versions`); an entry from
another version or another CPU has another key, and is never found. An entry is one file
named by its key: a header (the key, the size and checksum of each part) with its own
checksum, and the parts (object code, constants, what the runtime needs); a corrupt or
truncated entry is removed and compiled again, never loaded. Parts are checked as the
entry is read, but for the large ones a reader names as data (weights: `Target.is_data`),
checked in a thread meanwhile, so that checking them costs no time where there are two
cores: what is made from them (a loaded model that maps them) is made meanwhile, and used
only once `Entry.intact()` says they were whole. Entries are written to a temporary file
and renamed, so a reader sees a whole entry or none, and two processes compiling one thing
at once both write a whole one. Reading an entry marks it used; past the size bound the
least recently used go first.

Where: `ZIGGURAT_CACHE_DIR`, else the user's cache folder (`$XDG_CACHE_HOME/ziggurat`,
`~/.cache/ziggurat` on Linux, `~/Library/Caches/ziggurat` on macOS, `%LOCALAPPDATA%\\ziggurat`
on Windows). `ZIGGURAT_CACHE_SIZE` bounds it (bytes, or with K, M, G; 2G by default). A
folder that cannot be written (read-only, full) is said so once on stderr, and compiling
goes on without it. `ziggurat.compile(..., cache=False)` and `--no-cache` bypass it.

    store = current()                       # None where bypassed
    found = store.get(key)                  # {"name": bytes, ...} or None
    views = store.get_views(key)            # an Entry of views; views.intact() before use
    store.put(key, {"object": code, "meta": b"..."})
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import struct
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from ziggurat.diagnostics import ZigguratError

MAGIC = b"ZIGGURAT-CACHE-2\n"
HEADER = struct.Struct("<II")  # checksum (crc32) of the JSON index, its length
# Data parts this large are checked in a thread (a gigabyte of weights takes half a second).
CHECKED_LATER = 1 << 20
PAGE = 4096
DEFAULT_SIZE = 2 << 30
SUFFIX = ".entry"
PARTIAL = ".partial"
ABANDONED = 3600  # seconds after which a partial entry was left by a process that died

# Folders already said to be unusable, so each is said once per process.
WARNED: set[str] = set()
BYPASSED: ContextVar[bool] = ContextVar("ziggurat_cache_bypassed", default=False)


def key(*parts: str | bytes) -> str:
    """The key of the parts, in order: a hex digest."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(struct.pack("<Q", len(data)))
        digest.update(data)
    return digest.hexdigest()


@cache
def versions() -> str:
    """The versions compiled code depends on: Ziggurat's (its version and a hash of its
    source, so an edited checkout is another version), xDSL's, llvmlite's and LLVM's."""
    from importlib.metadata import version

    import llvmlite
    import llvmlite.binding as llvm

    root = Path(__file__).parent
    source = hashlib.sha256()
    for path in sorted(source_files(root)):
        source.update(str(path.relative_to(root)).encode())
        source.update(path.read_bytes())
    llvm_version = ".".join(map(str, llvm.llvm_version_info))
    return (
        f"ziggurat {version('ziggurat')}+{source.hexdigest()[:16]}; xdsl {version('xdsl')}; "
        f"llvmlite {llvmlite.__version__}; llvm {llvm_version}"
    )


def source_files(root: Path) -> Iterator[Path]:
    """The files of the package that make its compiler: Python and schedules, without
    tests, benchmarks and hidden folders."""
    skipped = {"tests", "lit_tests", "benchmarks", "docs", "examples", "__pycache__"}
    for folder, folders, files in os.walk(root):
        folders[:] = [f for f in folders if f not in skipped and not f.startswith(".")]
        for name in files:
            if name.endswith((".py", ".mlir")):
                yield Path(folder) / name


def default_folder() -> Path:
    """`ZIGGURAT_CACHE_DIR`, else the user's cache folder for Ziggurat."""
    chosen = os.environ.get("ZIGGURAT_CACHE_DIR")
    if chosen:
        return Path(chosen).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "ziggurat" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "ziggurat"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ziggurat"


def size_bound() -> int:
    """`ZIGGURAT_CACHE_SIZE` in bytes (a number, or with a K, M or G suffix)."""
    text = os.environ.get("ZIGGURAT_CACHE_SIZE", "").strip()
    if not text:
        return DEFAULT_SIZE
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1].upper(), 1)
    try:
        return int(float(text[:-1] if scale > 1 else text) * scale)
    except ValueError:
        raise ZigguratError(
            f"ZIGGURAT_CACHE_SIZE must be a size such as 500M or 2G, got '{text}'"
        ) from None


@contextmanager
def bypassed() -> Iterator[None]:
    """Compile without the cache inside."""
    token = BYPASSED.set(True)
    try:
        yield
    finally:
        BYPASSED.reset(token)


def current() -> Cache | None:
    """The cache compiles use here: None where bypassed."""
    if BYPASSED.get():
        return None
    return Cache(default_folder(), size_bound())


class Cache:
    """A folder of entries, bounded to `limit` bytes."""

    def __init__(self, folder: Path, limit: int):
        self.folder = folder
        self.limit = limit

    def path(self, entry_key: str) -> Path:
        return self.folder / f"{entry_key}{SUFFIX}"

    def get(self, entry_key: str) -> dict[str, bytes] | None:
        """The parts of the entry `entry_key`, or None if there is none (or it was
        corrupt, and is now removed)."""
        views = self.get_views(entry_key)
        if views is None or not views.intact():
            return None
        return {name: bytes(view) for name, view in views.items()}

    def get_views(
        self, entry_key: str, later: Callable[[str], bool] = lambda part: False
    ) -> Entry | None:
        """`get`, each part a view of the entry as read, not a copy (large constants); the
        large parts named by `later` (data, never code) are still being checked: ask
        `intact()` before using what was made of them."""
        path = self.path(entry_key)
        try:
            data = read_entry(path)
        except OSError:
            return None
        parts = decode(data, entry_key, later)
        if parts is None:
            self.remove(path)
            return None
        parts.on_corrupt = lambda: self.remove(path)
        try:
            os.utime(path)  # used now: the last to go
        except OSError:
            pass
        return parts

    def put(self, entry_key: str, parts: Mapping[str, bytes | memoryview]) -> None:
        """Store an entry (whole, or not at all), then keep the folder within its bound."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=self.folder, suffix=PARTIAL)
            try:
                with os.fdopen(descriptor, "wb") as file:
                    file.writelines(encode(parts, entry_key))
                os.replace(temporary, self.path(entry_key))
            except BaseException:
                self.remove(Path(temporary))
                raise
        except OSError as error:
            self.warn(error)
            return
        self.evict()

    def evict(self) -> None:
        """Remove the least recently used entries while the folder holds more than its
        bound (other processes may be removing some too), and what a process killed while
        writing left."""
        entries = []
        abandoned = time.time() - ABANDONED
        try:
            with os.scandir(self.folder) as found:
                for entry in found:
                    try:
                        status = entry.stat()
                    except OSError:
                        continue
                    if entry.name.endswith(SUFFIX):
                        entries.append((status.st_mtime, status.st_size, Path(entry.path)))
                    elif entry.name.endswith(PARTIAL) and status.st_mtime < abandoned:
                        self.remove(Path(entry.path))
        except OSError:
            return
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries, key=lambda e: e[0]):
            if total <= self.limit:
                break
            self.remove(path)
            total -= size

    def remove(self, path: Path) -> None:
        try:
            path.unlink()
        except OSError:
            pass

    def warn(self, error: OSError) -> None:
        """Say once that this folder cannot hold the cache."""
        if str(self.folder) in WARNED:
            return
        WARNED.add(str(self.folder))
        reason = error.strerror or str(error)
        print(
            f"ziggurat: warning: cannot write the compile cache in {self.folder} ({reason}); "
            "compiling without it",
            file=sys.stderr,
        )


class Entry(dict[str, memoryview]):
    """The parts of an entry, the large ones being checked in a thread: `intact()` waits
    for it, and removes the entry if they were not whole."""

    def __init__(self, parts: dict[str, memoryview], later: list[tuple[memoryview, int]]):
        super().__init__(parts)
        self.on_corrupt: Callable[[], None] = lambda: None
        self.whole: list[bool] = []
        # zlib lets go of the GIL while it sums, so this runs beside the caller.
        self.checking = threading.Thread(
            target=lambda: self.whole.append(all(zlib.crc32(v) == c for v, c in later)),
            daemon=True,
        )
        self.checking.start()

    def intact(self) -> bool:
        self.checking.join()
        if not self.whole[0]:
            self.on_corrupt()
        return self.whole[0]


def encode(parts: Mapping[str, bytes | memoryview], entry_key: str) -> list[bytes | memoryview]:
    """An entry's bytes, in pieces written one after the other (not joined: the weights are
    100 MB): magic, the index's checksum and length, the JSON index (its key, each part's
    name, size and checksum), the parts (each of a page or more at a page of the file, so
    that mapped it is aligned as a large constant needs)."""
    listed = [[name, len(part), zlib.crc32(part)] for name, part in parts.items()]
    index = json.dumps({"key": entry_key, "parts": listed}).encode()
    pieces = [MAGIC, HEADER.pack(zlib.crc32(index), len(index)), index]
    position = len(MAGIC) + HEADER.size + len(index)
    for part in parts.values():
        padding = part_start(position, len(part)) - position
        pieces += [bytes(padding), part]
        position += padding + len(part)
    return pieces


def part_start(position: int, size: int) -> int:
    """Where in an entry file a part of `size` bytes goes, the one before it ending at
    `position`."""
    return -(-position // PAGE) * PAGE if size >= PAGE else position


def read_entry(path: Path) -> bytes | mmap.mmap:
    """The bytes of an entry file: mapped, not copied, where a mapped file may still be
    replaced and removed (POSIX; entries are only ever replaced whole, never written in
    place), else read."""
    if os.name != "posix":
        return path.read_bytes()
    with path.open("rb") as file:
        try:
            return mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file cannot be mapped
            return b""


def decode(
    data: bytes | mmap.mmap, entry_key: str, later: Callable[[str], bool] = lambda part: False
) -> Entry | None:
    """An entry's parts, or None if it is not a whole entry of `entry_key` with intact
    parts, but for the large ones `later` names, checked in a thread (see Entry)."""
    start = len(MAGIC) + HEADER.size
    if len(data) < start or data[: len(MAGIC)] != MAGIC:
        return None
    checksum, length = HEADER.unpack_from(data, len(MAGIC))
    whole = memoryview(data)
    if zlib.crc32(whole[start : start + length]) != checksum:
        return None
    try:
        index = json.loads(bytes(whole[start : start + length]))
    except ValueError:
        return None
    if index.get("key") != entry_key:
        return None
    parts: dict[str, memoryview] = {}
    deferred: list[tuple[memoryview, int]] = []
    position = start + length
    for name, size, part_checksum in index["parts"]:
        position = part_start(position, size)
        parts[name] = whole[position : position + size]
        position += size
        if len(parts[name]) != size:
            return None
        if size >= CHECKED_LATER and later(name):
            deferred.append((parts[name], part_checksum))
        elif zlib.crc32(parts[name]) != part_checksum:
            return None
    return Entry(parts, deferred) if position == len(whole) else None
