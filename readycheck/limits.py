"""How much one file may cost: bytes, seconds, and how far YAML may expand and nest.

Hostile or broken input must end as an `errors` entry, never as a hang, a
crash or a machine out of memory. Memory is bounded by bounding the input:
the file size, the number of YAML nodes (aliases included) and the nesting
depth; time is bounded per file by an alarm around its load and evaluation.

Time is CPU time of the process, not wall-clock time: the same file gets the
same answer on an idle machine and on one busy with other work. Hostile input
can only cost CPU here (nothing waits on the network or a process, and FIFOs
and devices are never opened), so a CPU budget bounds it just as well.

Defaults leave a wide margin over real repositories. The size and the time
are set on the command line (`--max-file-size`, `--time-limit`) or by passing
`Limits` to `orchestrate.scan`; the YAML budgets are module constants here.
"""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

DEFAULT_MAX_FILE_SIZE = 20 * 1024 * 1024
DEFAULT_TIME_LIMIT = 10.0
"""Seconds of CPU one file may take: the largest public Helm charts render and are judged in under 1.5 s."""

YAML_MAX_NODES = 200_000
"""Nodes one YAML file may hold once aliases are expanded (about 1 KB of memory each while loading)."""
YAML_MAX_ALIAS_NODES = 100_000
"""Nodes aliases may add by expansion (a billion-laughs bomb stops here, fast)."""
YAML_MAX_DEPTH = 256
"""Nesting levels of one YAML document; checked before composing, so the C composer never recurses deeper."""


class Limits(NamedTuple):
    """Per-file limits of a scan. A time limit of 0 means none.

    A NamedTuple rather than a frozen dataclass: as immutable, with the same
    repr (part of the cache key), and about 0.7 ms cheaper to define at start-up.
    """

    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    time_limit: float = DEFAULT_TIME_LIMIT


class TimeBudgetExceeded(BaseException):  # noqa: N818 - an interruption, not an error of the input's making
    """Raised by the alarm inside a file's work.

    A BaseException, so the `except Exception` that loaders, rules and
    libraries use to carry on does not swallow it: it reaches evaluation,
    which reports the file and moves on.
    """


_SIZE = re.compile(r"^\s*(\d+)\s*([kmg]i?b?|b)?\s*$", re.I)
_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def parse_size(text: str) -> int:
    """`20000`, `500k`, `20MB`, `1GiB` to bytes (binary units). ValueError on anything else."""
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"not a size: {text!r} (use bytes, or a number with k, M or G)")
    unit = (match.group(2) or "").lower()[:1]
    return int(match.group(1)) * _UNITS[unit]


_deadlines: list[float] = []
_seconds: list[float] = []
_polling = [0]
_shared = [False]
"""Whether a shared_alarm has installed the SIGPROF handler: budgets inside it only set the timer."""


def budget_in_force() -> bool:
    return bool(_deadlines)


def cpu_seconds() -> float:
    """The clock every budget is measured on: CPU time of this process (all its threads)."""
    return time.process_time()


def out_of_time() -> bool:
    """Whether the time budget in force has run out.

    The alarm cannot interrupt C code that does not return to Python (a
    tree-sitter parse); such code is given a progress callback that polls this.
    """
    return bool(_deadlines) and cpu_seconds() > _deadlines[-1]


@contextmanager
def polled() -> Iterator[None]:
    """A block whose C code calls back into Python, where an exception from the alarm would corrupt state.

    Inside it the alarm does not raise but comes back shortly after; the block
    must poll `out_of_time()` (and stop) instead.
    """
    _polling[0] += 1
    try:
        yield
    finally:
        _polling[0] -= 1


def alarm_available() -> bool:
    """A per-file alarm needs SIGPROF's CPU-time timer (POSIX), the main thread, and no such timer someone else set."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        return False
    return signal.getitimer(signal.ITIMER_PROF)[0] == 0


def _on_alarm(signum: int, frame: object) -> None:
    """SIGPROF: raise in the budget in force once its deadline has passed.

    A budget that ended before its timer fired leaves nothing to do; a timer that fired early (the clocks'
    granularity) or during a `polled()` block comes back shortly.
    """
    if not _deadlines:
        return
    left = _deadlines[-1] - cpu_seconds()
    if left > 0 or _polling[0]:
        signal.setitimer(signal.ITIMER_PROF, max(left, 0.05 if _polling[0] else 0.001))
        return
    signal.setitimer(signal.ITIMER_PROF, 0.05)  # again soon, should a gc callback or __del__ swallow this one
    raise TimeBudgetExceeded(f"over the {_seconds[-1]:g}-second time limit")


@contextmanager
def shared_alarm(wanted: bool = True) -> Iterator[None]:
    """Install the alarm's handler once for many budgets (one group of files), restored after.

    Installing and restoring a signal handler per budget costs about 30 microseconds, several times per file;
    inside this block a budget costs one setitimer. Stands aside where time_budget would (alarm_available).
    """
    if not wanted or _shared[0] or not alarm_available():
        yield
        return
    previous = signal.signal(signal.SIGPROF, _on_alarm)
    _shared[0] = True
    try:
        yield
    finally:
        _shared[0] = False
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


@contextmanager
def time_budget(seconds: float) -> Iterator[bool]:
    """Raise TimeBudgetExceeded inside the block once it has used `seconds` of CPU time.

    Yields whether the alarm is armed: without SIGPROF (Windows), off the
    main thread, or under another timer, only code polling `out_of_time()`
    is bounded (the input limits still bound the rest). Catch TimeBudgetExceeded outside the `with`: the
    alarm may fire on the block's last instruction. Inside `shared_alarm` the handler is already in place and
    the timer, once the block ends, may fire into a handler that finds no budget in force (and does nothing).
    """
    if seconds <= 0:
        yield False
        return
    shared = _shared[0] and threading.current_thread() is threading.main_thread()
    armed = shared or alarm_available()
    previous = signal.signal(signal.SIGPROF, _on_alarm) if armed and not shared else None
    _deadlines.append(cpu_seconds() + seconds)
    _seconds.append(seconds)
    try:
        if armed:
            signal.setitimer(signal.ITIMER_PROF, seconds)
        yield armed
    finally:
        _deadlines.pop()  # first: from here on the handler finds this budget over and does nothing
        _seconds.pop()
        if armed and not shared:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.signal(signal.SIGPROF, previous)
        elif shared and _deadlines:  # an enclosing budget: its timer again
            signal.setitimer(signal.ITIMER_PROF, max(_deadlines[-1] - cpu_seconds(), 0.001))
