"""The limits themselves: sizes parse, the alarm fires, and it stands aside where it cannot work."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from readycheck.limits import (
    Limits,
    TimeBudgetExceeded,
    alarm_available,
    parse_size,
    shared_alarm,
    time_budget,
)
from readycheck.shell import parse_script

needs_alarm = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs SIGPROF (POSIX)")


@pytest.mark.parametrize(("text", "size"), [
    ("1000", 1000), ("500k", 500 * 1024), ("20M", 20 * 1024**2), ("20MB", 20 * 1024**2), ("1GiB", 1024**3), ("7b", 7),
])
def test_sizes_parse(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "-1", "1.5M", "ten", "5T"])
def test_bad_sizes_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a size"):
        parse_size(text)


def test_defaults() -> None:
    assert Limits() == Limits(max_file_size=20 * 1024 * 1024, time_limit=10.0)


@needs_alarm
def test_the_alarm_interrupts_pure_python_work_and_is_disarmed_after() -> None:
    started = time.perf_counter()
    with pytest.raises(TimeBudgetExceeded), time_budget(0.2) as enforced:
        assert enforced
        while True:
            pass
    assert time.perf_counter() - started < 5
    assert signal.getitimer(signal.ITIMER_PROF)[0] == 0
    assert signal.getsignal(signal.SIGPROF) in (signal.SIG_DFL, signal.default_int_handler, None)


@needs_alarm
def test_work_that_ends_in_time_is_untouched() -> None:
    with time_budget(5) as enforced:
        total = sum(range(1000))
    assert enforced and total == 499500
    assert signal.getitimer(signal.ITIMER_PROF)[0] == 0


@needs_alarm
def test_it_stands_aside_off_the_main_thread_and_under_another_timer() -> None:
    seen: list[bool] = []

    def worker() -> None:
        with time_budget(0.05) as enforced:
            seen.append(enforced)
            time.sleep(0.1)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [False]

    previous = signal.signal(signal.SIGPROF, lambda *a: None)
    signal.setitimer(signal.ITIMER_PROF, 30)
    try:
        assert not alarm_available()
        with time_budget(0.01) as enforced:
            assert not enforced
        assert signal.getitimer(signal.ITIMER_PROF)[0] > 0  # someone else's timer is left running
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def test_a_zero_limit_means_none() -> None:
    with time_budget(0) as enforced:
        assert not enforced


def test_a_cancelled_shell_parse_leaves_the_parser_clean() -> None:
    """tree-sitter resumes a cancelled parse on its next call unless reset: the next script must parse as itself."""
    started = time.perf_counter()
    with pytest.raises(TimeBudgetExceeded), time_budget(0.3):
        parse_script("<<EOF\n" * 20_000)  # minutes of C work if not cancelled
    assert time.perf_counter() - started < 10
    with time_budget(5):
        script = parse_script("apt-get install -y curl")
    assert [c.argv for c in script.commands] == [["apt-get", "install", "-y", "curl"]]


@needs_alarm
def test_budgets_under_one_shared_alarm_each_interrupt_their_own_work_only() -> None:
    """scan_group installs the handler once for all its files: a budget that ended never fires into later work,
    the next budget still interrupts, and leaving the block disarms the timer and restores the handler."""
    before = signal.getsignal(signal.SIGPROF)
    with shared_alarm():
        with time_budget(0.05) as enforced:
            assert enforced
        spin_until = time.process_time() + 0.2
        while time.process_time() < spin_until:  # past the ended budget's deadline: nothing may be raised
            pass
        with pytest.raises(TimeBudgetExceeded), time_budget(0.1):
            while True:
                pass
        with time_budget(5) as enforced:
            total = sum(range(1000))
        assert enforced and total == 499500
    assert signal.getitimer(signal.ITIMER_PROF)[0] == 0
    assert signal.getsignal(signal.SIGPROF) == before
