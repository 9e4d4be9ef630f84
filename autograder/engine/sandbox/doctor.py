"""``initlab doctor``: whether student code will be confined here, and a jailed child that tries,
one line each, what the jail must forbid."""
from __future__ import annotations

from autograder.engine.sandbox.jail import JailUnavailable, _kit_root, build
from autograder.engine.sandbox.launchers import ZygoteLauncher
from autograder.engine.sandbox.limits import Limits
from autograder.engine.sandbox.protocol import REPLY_MAX_BYTES
from autograder.engine.sandbox.runner import Sandbox, StudentFailure


def status() -> tuple[bool, str]:
    """(confined, one line for the terminal): whether student code will run in a jail here."""
    try:
        jail = build()
    except JailUnavailable as exc:
        return False, str(exc)
    return True, f"bubblewrap {jail.bwrap}; Landlock {landlock_abi() or 'not available'}"


def landlock_abi() -> int:
    """The kernel's Landlock ABI version (0: none)."""
    from autograder.engine.sandbox.landlock import abi_version

    return abi_version()


#: What ``initlab doctor`` runs in a jailed child: each line tries one thing a jail must forbid.
_SELF_TEST = r'''
import os, socket

def probe(kit_root, reference):
    libc = __import__("ctypes").CDLL(None)

    def refused(f):
        try:
            f()
        except BaseException:
            return True
        return False
    others = [p for p in os.listdir("/proc") if p.isdigit() and p not in ("1", str(os.getpid()))]
    return [
        ["sees only the zygote and itself in /proc", not others],
        ["cannot read the kit's reference solution", refused(lambda: open(reference).read())
         and refused(lambda: __import__("autograder.reference"))],
        ["cannot write outside its scratch folder", refused(lambda: open("/usr/initlab-doctor", "w"))],
        ["can write its scratch folder", not refused(lambda: open("/tmp/initlab-doctor", "w").close())],
        ["has no network", refused(lambda: socket.create_connection(("127.0.0.1", 9), timeout=1))],
        ["cannot signal the zygote", refused(lambda: os.kill(1, 0))],
        ["has no capabilities", all(line.split()[1] == "0000000000000000" for line in open("/proc/self/status")
                                    if line.startswith(("CapEff", "CapPrm", "CapAmb", "CapInh")))],
        ["cannot make a user namespace", libc.unshare(0x10000000) != 0],
        ["is not the host's root (owns none of its system files)",
         all(os.stat(p).st_uid != os.getuid() for p in ("/usr", "/dev/null"))],
        ["cannot change the host's device nodes", refused(lambda: os.chmod("/dev/null", 0o666))],
        ["cannot make System V shared memory", libc.shmget(0, 4096, 0o1600) == -1],
        ["has a /tmp of its own (a tmpfs the kernel frees with it)",
         any(f.split(" - ")[1].startswith("tmpfs ") and f.split()[4] == "/tmp" for f in open("/proc/self/mountinfo")
             if " - " in f) and os.statvfs("/tmp").f_blocks * os.statvfs("/tmp").f_frsize >= 64 << 20],
    ]
'''


def self_test() -> list[tuple[str, bool]]:
    """Run :data:`_SELF_TEST` in a jailed child: [(what, held)]."""
    launcher = ZygoteLauncher(REPLY_MAX_BYTES, jail=build())
    launcher.start()
    sandbox = Sandbox([{"source": _SELF_TEST, "name": "doctor"}], ["probe"], Limits(), launcher, setup={})
    try:
        from autograder.engine.assignment import load

        value = sandbox.call("probe", str(_kit_root()), str(load().reference)).value
        return [(str(line), held is True) for line, held in value]
    except StudentFailure as exc:
        return [(f"the self-test could not run: {exc}", False)]
    finally:
        sandbox.close()
        launcher.close()
