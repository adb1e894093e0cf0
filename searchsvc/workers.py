"""Shared by the ingest and index stages: forked worker processes that die with the process that made them."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor


def die_with_parent(parent_pid: int) -> None:
    """In a forked worker: get SIGKILL when the parent dies (Linux prctl PR_SET_PDEATHSIG), so a killed
    build leaves no orphan behind (one blocked on a queue would live forever)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: only the orphan lingers
        pass
    if os.getppid() != parent_pid:     # the parent died before prctl took effect
        os._exit(1)


def fork_executor(processes: int) -> ProcessPoolExecutor:
    """A ProcessPoolExecutor of forked workers that die with this process."""
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"),
                               initializer=_worker_started, initargs=(os.getpid(),))


def _worker_started(parent_pid: int) -> None:
    """A pool worker: dies with its parent and collects its own garbage cycles (a parent that paused its cyclic
    collector for what it keeps, as the build does while it gathers parsed files, pauses it for the workers too)."""
    die_with_parent(parent_pid)
    gc.enable()
