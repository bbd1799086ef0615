"""Child processes that cannot outlive their parent, and that cannot open network sockets.

Both are Linux kernel features reached through ``prctl(2)`` with ctypes (no dependency):

- ``die_with_parent()``: PR_SET_PDEATHSIG, so a worker is killed when the process that
  started it dies, even by ``kill -9`` (nothing is left behind polling a dead pipe).
- ``forbid_network()``: a seccomp filter that makes ``socket(AF_INET | AF_INET6, ...)``
  fail with EACCES in this thread and every thread it starts. The SPARQL engine can fetch
  URLs (``SERVICE``, ``LOAD``); in a process with this filter it cannot reach any host,
  whatever the query guard let through. Unix sockets (the pipe to the parent) still work.

Call both first thing in the child, before any library starts threads.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform
import signal
import socket
import struct

from core.errors import TyodataError

_PR_SET_PDEATHSIG = 1
_PR_SET_SECCOMP = 22
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_MODE_FILTER = 2
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000
_EACCES = 13

# BPF opcodes (linux/filter.h)
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_RET_K = 0x06

_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1

# (audit arch of seccomp_data, number of the socket syscall, of the seccomp syscall)
_ARCHES = {
    "x86_64": (0xC000003E, 41, 317),
    "aarch64": (0xC00000B7, 198, 277),
}


class ProcessSetupError(TyodataError):
    """A child process could not be confined as asked."""


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def die_with_parent(parent_pid: int | None = None) -> None:
    """Have the kernel SIGKILL this process when its parent dies.

    ``parent_pid`` closes the race where the parent died before this call: if our
    parent is already someone else, exit at once.
    """
    if _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise ProcessSetupError(f"prctl(PR_SET_PDEATHSIG) failed: errno {ctypes.get_errno()}")
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)


def _socket_filter(arch: int, socket_nr: int) -> bytes:
    def stmt(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
        return struct.pack("HBBI", code, jt, jf, k)

    deny = _SECCOMP_RET_ERRNO | _EACCES
    return b"".join([
        stmt(_LD_W_ABS, 4),                         # A = seccomp_data.arch
        stmt(_JEQ_K, arch, 0, 5),                   # other ABI: allow (jump to the end)
        stmt(_LD_W_ABS, 0),                         # A = seccomp_data.nr
        stmt(_JEQ_K, socket_nr, 0, 3),              # not socket(): allow
        stmt(_LD_W_ABS, 16),                        # A = low word of args[0] (the family)
        stmt(_JEQ_K, socket.AF_INET, 2, 0),         # AF_INET: deny
        stmt(_JEQ_K, socket.AF_INET6, 1, 0),        # AF_INET6: deny
        stmt(_RET_K, _SECCOMP_RET_ALLOW),
        stmt(_RET_K, deny),
    ])


def forbid_network() -> None:
    """From now on, no thread of this process (running or started later) can open IP
    sockets.

    >>> import subprocess, sys
    >>> code = ("from core.processes import forbid_network; import socket; forbid_network()\\n"
    ...         "try: socket.socket()\\nexcept PermissionError: print('refused')")
    >>> subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    'refused\\n'
    """
    machine = platform.machine()
    if machine not in _ARCHES:
        raise ProcessSetupError(f"no seccomp network filter for machine {machine!r}")
    arch, socket_nr, seccomp_nr = _ARCHES[machine]
    program = _socket_filter(arch, socket_nr)
    count = len(program) // 8
    buffer = ctypes.create_string_buffer(program, len(program))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(count, ctypes.cast(buffer, ctypes.c_void_p))
    libc = _libc()
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise ProcessSetupError(f"prctl(PR_SET_NO_NEW_PRIVS) failed: errno {ctypes.get_errno()}")
    # seccomp(2) with TSYNC puts the filter on every thread, not only on this one.
    done = libc.syscall(seccomp_nr, _SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC,
                        ctypes.byref(fprog))
    if done != 0:
        raise ProcessSetupError(f"seccomp filter refused: result {done}, errno "
                                f"{ctypes.get_errno()}")
