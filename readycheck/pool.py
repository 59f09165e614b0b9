"""The worker pool: groups scanned serially, or in forked worker processes that inherit a warmed-up parent.

A group is answered by the cache when it can be, otherwise scanned here; a
worker that dies (killed, out of memory) costs a rescan of its groups, each
in a fresh process, never the scan.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from readycheck import textio
from readycheck.cache import Cache
from readycheck.discover import Target
from readycheck.evaluate import ScanSettings, scan_group
from readycheck.model import ScanError, ScanResult

MIN_GROUPS_FOR_WORKERS = 8


def _scan_recording(group: list[Target], settings: ScanSettings) -> tuple[ScanResult, list[str]]:
    """Scan a group and list every file its loaders read (the cache's dependencies)."""
    with textio.recording_reads() as reads:
        result = scan_group(group, settings)
    return result, list(reads)


def _strip_documents(item: tuple[ScanResult, list[str]]) -> bytes:
    """What goes back to the parent: not the rules (the parent has them)."""
    import pickle

    result, deps = item
    result.rules = []
    return pickle.dumps((result, deps))


_worker_settings: ScanSettings | None = None


def _init_worker(settings: ScanSettings) -> None:
    global _worker_settings
    _worker_settings = settings


def _work(group: list[Target]) -> bytes:
    assert _worker_settings is not None
    return _strip_documents(_scan_recording(group, _worker_settings))


def _rescan_alone(group: list[Target], settings: ScanSettings) -> tuple[ScanResult, list[str]]:
    """A group a dead worker did not return, scanned once more in a fresh process of its own.

    Not in this process: what killed the worker (a crash in C code) would kill
    the scan. Should the group kill this process too, each of its files is an
    error entry and the scan goes on.
    """
    import multiprocessing
    import pickle
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"),
                             initializer=_init_worker, initargs=(settings,)) as pool:
        try:
            result: tuple[ScanResult, list[str]] = pickle.loads(pool.submit(_work, group).result())
        except BrokenProcessPool:
            from readycheck.loaders import LoadContext

            context = LoadContext(base=settings.base)
            errors = [ScanError(context.relpath(t.path), None, "the process checking this file died (killed, or out of "
                                "memory): not checked", transient=True) for t in group]
            return ScanResult([], errors, len(group), [], settings.rules, []), []
    return result


def _warm_up(todo: list[int], groups: list[list[Target]], settings: ScanSettings) -> dict[int, tuple[ScanResult, list[str]]]:
    """Scan a group of each kind before forking: the workers inherit every import, compiled pattern and parser it set up.

    Warming by doing real work needs no list of what a kind uses, and the work is not lost.
    """
    warmed: dict[int, tuple[ScanResult, list[str]]] = {}
    kinds_seen: set[str] = set()
    for index in sorted(todo, key=lambda i: len(groups[i])):  # the smallest group of each kind: the workers wait
        kinds = {t.kind for t in groups[index]}
        if not kinds <= kinds_seen:
            kinds_seen |= kinds
            warmed[index] = _scan_recording(groups[index], settings)
    return warmed


_TASKS_MAX = 1024
"""Task records (4 bytes each) fit the smallest pipe buffer (one 4 KiB page) whole: written before forking."""


def _fork_workers(order: list[int], groups: list[list[Target]], settings: ScanSettings,
                  jobs: int) -> dict[int, tuple[ScanResult, list[str]]]:
    """The groups `order` lists, scanned by `jobs` processes forked once from this warmed-up one.

    Leaner than a ProcessPoolExecutor (no multiprocessing or concurrent.futures import, no manager thread, no
    pickled task per chunk): the workers take chunks of `order` from one pipe written before the fork, and
    return each group's result as a length-prefixed pickle through a pipe of their own. What a worker that died
    did not return is missing from the answer (the caller scans it again).
    """
    import pickle
    import select
    import struct

    chunk = -(-len(order) // _TASKS_MAX)
    chunks = [order[start:start + chunk] for start in range(0, len(order), chunk)]
    tasks_r, tasks_w = os.pipe()
    os.write(tasks_w, b"".join(struct.pack("<I", n) for n in range(len(chunks))))
    os.close(tasks_w)
    workers: dict[int, int] = {}  # result pipe -> pid
    try:
        for _ in range(min(jobs, len(chunks))):
            results_r, results_w = os.pipe()
            pid = os.fork()
            if pid == 0:  # the worker: never returns into the caller's stack
                code = 1
                try:
                    os.close(results_r)
                    for fd in workers:
                        os.close(fd)
                    _init_worker(settings)
                    while len(record := os.read(tasks_r, 4)) == 4:
                        for index in chunks[struct.unpack("<I", record)[0]]:
                            payload = _work(groups[index])
                            _write_all(results_w, struct.pack("<II", index, len(payload)) + payload)
                    code = 0
                finally:
                    os._exit(code)
            os.close(results_w)
            workers[results_r] = pid
        os.close(tasks_r)
        tasks_r = -1
        received = {fd: bytearray() for fd in workers}
        open_fds = list(workers)
        while open_fds:
            ready, _, _ = select.select(open_fds, [], [])
            for fd in ready:
                data = os.read(fd, 1 << 20)
                if data:
                    received[fd] += data
                else:
                    open_fds.remove(fd)
    finally:
        if tasks_r >= 0:
            os.close(tasks_r)
        for fd, pid in workers.items():
            os.close(fd)
            try:
                if os.waitpid(pid, os.WNOHANG)[0] == 0:
                    import signal

                    os.kill(pid, signal.SIGKILL)  # interrupted (Ctrl-C): no worker outlives the scan
                    os.waitpid(pid, 0)
            except ChildProcessError:
                pass
    computed: dict[int, tuple[ScanResult, list[str]]] = {}
    for buffer in received.values():
        offset = 0
        while offset + 8 <= len(buffer):  # a record cut short by a worker's death is dropped
            index, size = struct.unpack_from("<II", buffer, offset)
            if offset + 8 + size > len(buffer):
                break
            computed[index] = pickle.loads(buffer[offset + 8:offset + 8 + size])
            offset += 8 + size
    return computed


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def run_groups(groups: list[list[Target]], settings: ScanSettings, jobs: int = 1, cache: Cache | None = None,
               reads: list[str] | None = None) -> Iterator[ScanResult]:
    """Results for every group, in the order given; every file a group depended on is added to `reads`."""
    results: list[ScanResult | None] = []
    for group in groups:
        cached = cache.get(group) if cache else None
        results.append(cached[0] if cached else None)
        if cached and reads is not None:
            reads.extend(cached[1])
    todo = [i for i, r in enumerate(results) if r is None]
    computed: dict[int, tuple[ScanResult, list[str]]] = {}
    if jobs > 1 and len(todo) >= MIN_GROUPS_FOR_WORKERS:

        computed = _warm_up(todo, groups, settings)
        rest = [i for i in todo if i not in computed]
        import gc

        gc.freeze()  # the workers' collections skip what they inherit (and do not copy its pages by touching it)
        try:
            # largest groups first, so a big one (every workflow of a repository) does not start last
            by_size = sorted(rest, key=lambda i: -len(groups[i]))
            computed.update(_fork_workers(by_size, groups, settings, jobs))
        finally:
            gc.unfreeze()  # in a longer-lived process (an API caller, the tests) what was frozen can be freed again
        lost = [i for i in rest if i not in computed]
        if lost:
            import sys

            sys.stderr.write(f"readycheck: a worker process died; its {len(lost)} group(s) of files are scanned again, "
                             "each alone\n")
            computed.update((i, _rescan_alone(groups[i], settings)) for i in lost)
        for result, _ in computed.values():
            result.rules = settings.rules
    else:
        computed = {i: _scan_recording(groups[i], settings) for i in todo}
    for index in todo:
        result, deps = computed[index]
        if reads is not None:
            reads.extend(deps)
        if cache is not None and not any(e.transient for e in result.errors):
            cache.put(groups[index], result, deps)
        results[index] = result
    for stored in results:
        assert stored is not None
        yield stored
