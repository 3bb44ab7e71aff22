"""Which processes of this machine are alive: what orphan closing may trust.

A pid means something only inside its pid namespace and boot: two containers sharing a
hostname (host networking, a fixed ``hostname:``) each have their own pid 1, and pids are
reused. So a process is identified by its namespace (boot id and pid-namespace inode),
its pid and its start time (in clock ticks since boot, from /proc).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path


@cache
def pid_namespace() -> str:
    """This process's boot and pid namespace, or "" where /proc cannot tell (not Linux)."""
    try:
        boot_id = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return ""
    return f"{boot_id}:{namespace}"


def process_started(pid: int) -> int | None:
    """The start time of ``pid`` in clock ticks since boot, or None if unknown or gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may contain spaces and parentheses: count from its end.
    fields = stat[stat.rfind(")") + 2 :].split()
    try:
        return int(fields[19])  # field 22 of the whole line
    except (IndexError, ValueError):
        return None


def same_process_alive(pid: int, started: int | None) -> bool:
    """Whether the process recorded as (pid, start time) still runs, in this namespace."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        pass  # it exists, owned by someone else
    if started is None:
        return True  # no start time recorded: the pid alone says alive
    return process_started(pid) == started
