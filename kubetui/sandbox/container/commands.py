"""The utilities of a simulated container: enough of coreutils/busybox for a person
looking around during an incident, and what `kubectl cp` runs (`tar`, `test`).

Each command is `async def cmd(ctx) -> exit code`; `COMMANDS` maps names to them. Options
follow the common GNU/busybox spellings; an unknown option is an error with exit code 1,
as there."""

from __future__ import annotations

import asyncio
import fnmatch
import io
import posixpath
import re
import tarfile
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from urllib.parse import urlsplit

from kubetui.sandbox.container.fs import FsError
from kubetui.sandbox.container.process import ConnectionRefused, Ctx, HostNotFound

Command = Callable[[Ctx], Awaitable[int]]


class Usage(Exception):
    """A command line the command cannot take (said as `cmd: message`)."""
COMMANDS: dict[str, Command] = {}
KERNEL = "6.8.0-kubetui"
DNS_SERVER = "10.96.0.10"


def command(*names: str, usage_code: int = 1) -> Callable[[Command], Command]:
    """Register a command; a `Usage` error it raises is said and exits `usage_code`."""
    def register(fn: Command) -> Command:
        async def run(ctx: Ctx) -> int:
            try:
                return await fn(ctx)
            except Usage as e:
                ctx.complain(str(e))
                return usage_code

        for n in names:
            COMMANDS[n] = run
        return fn
    return register


def _flags(args: list[str], known: str, with_value: str = "") -> tuple[dict[str, str], list[str]]:
    """Short options (`-la`, `-n 5`, `-n5`); stops at `--` or the first operand."""
    opts: dict[str, str] = {}
    rest: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            rest += args[i + 1:]
            break
        if a.startswith("-") and len(a) > 1 and not a[1].isdigit():
            j = 1
            while j < len(a):
                ch = a[j]
                if ch in with_value:
                    value = a[j + 1:]
                    if not value:
                        i += 1
                        value = args[i] if i < len(args) else ""
                    opts[ch] = value
                    break
                if ch not in known:
                    raise Usage(f"invalid option -- '{ch}'")
                opts[ch] = ""
                j += 1
        else:
            rest.append(a)
        i += 1
    return opts, rest


async def _inputs(ctx: Ctx, files: list[str]) -> list[tuple[str, bytes | None]]:
    """The named files' contents (None where unreadable, after saying why), or stdin."""
    if not files:
        return [("-", await ctx.stdin.read_all())]
    out: list[tuple[str, bytes | None]] = []
    for f in files:
        if f == "-":
            out.append((f, await ctx.stdin.read_all()))
            continue
        try:
            out.append((f, ctx.box.fs.read(ctx.path(f))))
        except FsError as e:
            ctx.complain(f"{f}: {e.reason}")
            out.append((f, None))
    return out


# ----- files -------------------------------------------------------------------------------

@command("cat")
async def cat(ctx: Ctx) -> int:
    code = 0
    for _, data in await _inputs(ctx, [a for a in ctx.argv[1:] if a != "-u"]):
        if data is None:
            code = 1
        else:
            ctx.out(data)
    return code


@command("ls")
async def ls(ctx: Ctx) -> int:
    opts, paths = _flags(ctx.argv[1:], "la1AhdFR")
    fs = ctx.box.fs
    code = 0
    paths = paths or ["."]
    for n, p in enumerate(paths):
        full = ctx.path(p)
        if not fs.exists(full):
            ctx.complain(f"cannot access '{p}': No such file or directory")
            code = 2
            continue
        if fs.is_dir(full) and "d" not in opts:
            names = fs.listdir(full)
            if "a" in opts:
                names = [".", ".."] + names
            if len(paths) > 1:
                ctx.say(("\n" if n else "") + f"{p}:\n")
            entries = [(name, posixpath.join(full, name)) for name in names]
        else:
            entries = [(p, full)]
        if "l" in opts:
            if fs.is_dir(full) and "d" not in opts:
                ctx.say(f"total {len(entries) * 4}\n")
            for name, path in entries:
                ctx.say(_long_line(ctx, name, path) + "\n")
        elif entries:
            sep = "\n" if "1" in opts or not ctx.tty else "  "
            ctx.say(sep.join(name for name, _ in entries) + "\n")
    return code


def _long_line(ctx: Ctx, name: str, path: str) -> str:
    fs = ctx.box.fs
    stamp = datetime.fromtimestamp(ctx.box.started, timezone.utc).strftime("%b %e %H:%M")
    if name in (".", "..") or fs.is_dir(path):
        return f"drwxr-xr-x    2 root     root          4096 {stamp} {name}"
    size = len(fs.read(path))
    return f"-rw-r--r--    1 root     root    {size:>10} {stamp} {name}"


@command("head", "tail")
async def head_tail(ctx: Ctx) -> int:
    tail = ctx.argv[0] == "tail"
    args = [("-n" + a[1:]) if re.fullmatch(r"-\d+", a) else a for a in ctx.argv[1:]]
    opts, files = _flags(args, "qvf", with_value="nc")
    code = 0
    for _, data in await _inputs(ctx, files):
        if data is None:
            code = 1
            continue
        if "c" in opts:
            from_start = opts["c"].startswith("+")
            count = int(opts["c"].lstrip("+") or 0)
            if tail:
                ctx.out(data[max(count - 1, 0):] if from_start else
                        data[-count:] if count else b"")
            else:
                ctx.out(data[:count])
            continue
        n = int(opts.get("n", "10").lstrip("+"))
        lines = data.splitlines(keepends=True)
        if tail and opts.get("n", "").startswith("+"):
            ctx.out(b"".join(lines[max(n - 1, 0):]))
        else:
            ctx.out(b"".join(lines[-n:] if tail and n else [] if tail else lines[:n]))
    return code


@command("wc")
async def wc(ctx: Ctx) -> int:
    opts, files = _flags(ctx.argv[1:], "lwc")
    show = [k for k in "lwc" if k in opts] or ["l", "w", "c"]
    code = 0
    for name, data in await _inputs(ctx, files):
        if data is None:
            code = 1
            continue
        counts = {"l": data.count(b"\n"), "w": len(data.split()), "c": len(data)}
        cols = [f"{counts[k]:>7}" if len(show) > 1 else str(counts[k]) for k in show]
        ctx.say(" ".join(cols) + (f" {name}" if name != "-" else "") + "\n")
    return code


@command("grep", usage_code=2)
async def grep(ctx: Ctx) -> int:
    opts, rest = _flags(ctx.argv[1:], "ivcnEFqlh", with_value="e")
    if "e" in opts:
        pattern = opts["e"]
    elif rest:
        pattern, rest = rest[0], rest[1:]
    else:
        ctx.err(b"Usage: grep [OPTIONS] PATTERN [FILE]...\n")
        return 2
    if "F" in opts:
        pattern = re.escape(pattern)
    elif "E" not in opts:  # basic regular expressions: \| \( \) are the special ones
        pattern = pattern.replace(r"\|", "|").replace(r"\(", "(").replace(r"\)", ")")
    try:
        rx = re.compile(pattern.encode(), re.IGNORECASE if "i" in opts else 0)
    except re.error:
        ctx.complain("bad regex")
        return 2
    found = False
    error = False
    inputs = await _inputs(ctx, rest)
    for name, data in inputs:
        if data is None:
            error = True
            continue
        hits = [(i, line) for i, line in enumerate(data.splitlines(), 1)
                if bool(rx.search(line)) != ("v" in opts)]
        found = found or bool(hits)
        if "q" in opts:
            continue
        prefix = f"{name}:" if len(inputs) > 1 and "h" not in opts else ""
        if "l" in opts:
            if hits:
                ctx.say(name + "\n")
        elif "c" in opts:
            ctx.say(f"{prefix}{len(hits)}\n")
        else:
            for i, line in hits:
                ctx.out(prefix.encode() + (f"{i}:".encode() if "n" in opts else b"") +
                        line + b"\n")
    return 2 if error and not found else 0 if found else 1


@command("mkdir")
async def mkdir(ctx: Ctx) -> int:
    opts, dirs = _flags(ctx.argv[1:], "pv")
    code = 0
    for d in dirs:
        try:
            ctx.box.fs.mkdir(ctx.path(d), parents="p" in opts)
        except FsError as e:
            ctx.complain(f"cannot create directory '{d}': {e.reason}")
            code = 1
    return code


@command("rm")
async def rm(ctx: Ctx) -> int:
    opts, paths = _flags(ctx.argv[1:], "rfRv")
    code = 0
    for p in paths:
        full = ctx.path(p)
        try:
            if ctx.box.fs.is_dir(full) and not ({"r", "R"} & set(opts)):
                ctx.complain(f"cannot remove '{p}': Is a directory")
                code = 1
                continue
            ctx.box.fs.remove(full, recursive=True)
        except FsError as e:
            if not ("f" in opts and e.reason.startswith("No such")):
                ctx.complain(f"cannot remove '{p}': {e.reason}")
                code = 1
    return code


@command("touch")
async def touch(ctx: Ctx) -> int:
    code = 0
    for p in ctx.argv[1:]:
        full = ctx.path(p)
        try:
            if not ctx.box.fs.exists(full):
                ctx.box.fs.write(full, b"")
        except FsError as e:
            ctx.complain(f"cannot touch '{p}': {e.reason}")
            code = 1
    return code


@command("test", "[")
async def test(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    if ctx.argv[0] == "[":
        if not args or args[-1] != "]":
            ctx.complain("missing ]")
            return 2
        args = args[:-1]
    negate = bool(args) and args[0] == "!"
    if negate:
        args = args[1:]
    fs = ctx.box.fs
    if not args:
        ok = False
    elif len(args) == 1:
        ok = args[0] != ""
    elif len(args) == 2:
        op, arg = args
        checks = {"-d": lambda: fs.is_dir(ctx.path(arg)),
                  "-f": lambda: fs.is_file(ctx.path(arg)),
                  "-e": lambda: fs.exists(ctx.path(arg)),
                  "-s": lambda: fs.is_file(ctx.path(arg)) and bool(fs.read(ctx.path(arg))),
                  "-r": lambda: fs.exists(ctx.path(arg)), "-z": lambda: arg == "",
                  "-n": lambda: arg != ""}
        if op not in checks:
            ctx.complain(f"{op}: unknown operand")
            return 2
        ok = checks[op]()
    elif len(args) == 3:
        a, op, b = args
        try:
            ok = {"=": lambda: a == b, "==": lambda: a == b, "!=": lambda: a != b,
                  "-eq": lambda: int(a) == int(b), "-ne": lambda: int(a) != int(b),
                  "-lt": lambda: int(a) < int(b), "-gt": lambda: int(a) > int(b),
                  "-le": lambda: int(a) <= int(b), "-ge": lambda: int(a) >= int(b)}[op]()
        except (KeyError, ValueError):
            ctx.complain("syntax error")
            return 2
    else:
        ctx.complain("too many arguments")
        return 2
    return 0 if ok != negate else 1


@command("true")
async def true(ctx: Ctx) -> int:
    return 0


@command("false")
async def false(ctx: Ctx) -> int:
    return 1


# ----- tar (kubectl cp) ----------------------------------------------------------------------

@command("tar")
async def tar(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    if args and not args[0].startswith("-"):
        args = ["-" + args[0]] + args[1:]
    mode, archive, directory, names = "", "", ctx.cwd, []
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("--"):
            i += 1
            continue  # --no-same-owner, --no-same-permissions: nothing to keep here
        if a.startswith("-") and len(a) > 1:
            for ch in a[1:]:
                if ch in "cxt":
                    mode = ch
                elif ch == "f":
                    i += 1
                    archive = args[i] if i < len(args) else ""
                elif ch == "C":
                    i += 1
                    directory = ctx.path(args[i]) if i < len(args) else directory
                elif ch not in "vmpoz":
                    ctx.complain(f"invalid option -- '{ch}'")
                    return 2
        else:
            names.append(a)
        i += 1
    if not mode:
        ctx.complain("You must specify one of the '-Acdtrux' options")
        return 2
    if mode == "c":
        return _tar_create(ctx, archive, directory, names)
    data = await ctx.stdin.read_all() if archive in ("", "-") else \
        ctx.box.fs.read(ctx.path(archive))
    try:
        tf = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")
    except tarfile.TarError:
        ctx.complain("This does not look like a tar archive")
        return 2
    code = 0
    with tf:
        for member in tf.getmembers():
            if mode == "t":
                ctx.say(member.name + "\n")
                continue
            target = posixpath.normpath(posixpath.join(directory, member.name))
            try:
                if member.isdir():
                    ctx.box.fs.mkdir(target, parents=True)
                elif member.isfile():
                    ctx.box.fs.mkdir(posixpath.dirname(target), parents=True)
                    fobj = tf.extractfile(member)
                    ctx.box.fs.write(target, fobj.read() if fobj else b"")
            except FsError as e:
                ctx.complain(f"{member.name}: Cannot open: {e.reason}")
                code = 2
    return code


def _tar_create(ctx: Ctx, archive: str, directory: str, names: list[str]) -> int:
    fs = ctx.box.fs
    buf = io.BytesIO()
    code = 0
    stripped = False
    mtime = int(ctx.box.started)
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        def add(path: str, name: str) -> None:
            info = tarfile.TarInfo(name)
            info.mtime = mtime
            if fs.is_dir(path):
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tf.addfile(info)
                for child in fs.listdir(path):
                    add(posixpath.join(path, child), f"{name.rstrip('/')}/{child}")
            else:
                data = fs.read(path)
                info.size, info.mode = len(data), 0o644
                tf.addfile(info, io.BytesIO(data))

        for n in names:
            full = posixpath.normpath(posixpath.join(directory, n))
            if not fs.exists(full):
                ctx.complain(f"{n}: Cannot stat: No such file or directory")
                code = 2
                continue
            member = n
            if n.startswith("/"):
                member = n.lstrip("/") or "."
                stripped = True
            add(full, member)
    if stripped:
        ctx.err(b"tar: Removing leading `/' from member names\n")
    if archive in ("", "-"):
        ctx.out(buf.getvalue())
    else:
        fs.write(ctx.path(archive), buf.getvalue())
    if code:
        ctx.err(b"tar: Exiting with failure status due to previous errors\n")
    return code


# ----- the system ------------------------------------------------------------------------------

@command("env", "printenv")
async def env(ctx: Ctx) -> int:
    names = ctx.argv[1:]
    if ctx.argv[0] == "printenv" and names:
        found = [ctx.env[n] for n in names if n in ctx.env]
        for v in found:
            ctx.say(v + "\n")
        return 0 if len(found) == len(names) else 1
    for k, v in ctx.env.items():
        ctx.say(f"{k}={v}\n")
    return 0


@command("hostname")
async def hostname(ctx: Ctx) -> int:
    ctx.say(ctx.box.hostname + "\n")
    return 0


@command("pwd")
async def pwd(ctx: Ctx) -> int:
    ctx.say(ctx.cwd + "\n")
    return 0


@command("id", "whoami")
async def ident(ctx: Ctx) -> int:
    uid, gid = ctx.box.uid, ctx.box.gid
    user = "root" if uid == 0 else ""
    group = "root" if gid == 0 else ""
    if ctx.argv[0] == "whoami":
        if not user:
            ctx.complain(f"unknown uid {uid}")
            return 1
        ctx.say(user + "\n")
        return 0
    u = f"uid={uid}" + (f"({user})" if user else "")
    g = f"gid={gid}" + (f"({group})" if group else "")
    ctx.say(f"{u} {g} groups={gid}" + (f"({group})" if group else "") + "\n")
    return 0


@command("ps")
async def ps(ctx: Ctx) -> int:
    ctx.say("PID   USER     TIME  COMMAND\n")
    for p in ctx.box.procs.list():
        ctx.say(f"{p.pid:>5} {p.user:<8} {'0:00':>5} {p.command}\n")
    return 0


@command("kill")
async def kill(ctx: Ctx) -> int:
    signal = 15
    pids: list[str] = []
    for a in ctx.argv[1:]:
        if a.startswith("-") and len(a) > 1:
            name = a[1:].upper().removeprefix("SIG")
            signal = int(name) if name.isdigit() else \
                {"KILL": 9, "TERM": 15, "INT": 2, "HUP": 1, "QUIT": 3}.get(name, 15)
        else:
            pids.append(a)
    if not pids:
        ctx.err(b"kill: usage: kill [-s sigspec | -n signum | -sigspec] pid\n")
        return 2
    code = 0
    for p in pids:
        error = ctx.box.procs.kill(int(p), signal) if p.isdigit() else f"{p}: arguments must be " \
                                                                    "process or job IDs"
        if error:
            ctx.err(f"{ctx.shell}: kill: {error}\n".encode())
            code = 1
    return code


@command("date")
async def date(ctx: Ctx) -> int:
    now = datetime.now(timezone.utc)
    args = ctx.argv[1:]
    if args and args[0].startswith("+"):
        ctx.say(now.strftime(args[0][1:]) + "\n")
    else:
        ctx.say(now.strftime("%a %b %e %H:%M:%S UTC %Y") + "\n")
    return 0


@command("sleep")
async def sleep(ctx: Ctx) -> int:
    try:
        seconds = sum(float(a.rstrip("s")) for a in ctx.argv[1:])
    except ValueError:
        ctx.complain(f"invalid time interval '{ctx.argv[1]}'")
        return 1
    await asyncio.sleep(seconds)
    return 0


@command("uname")
async def uname(ctx: Ctx) -> int:
    opts, _ = _flags(ctx.argv[1:], "asnrvmpio")
    parts = {"s": "Linux", "n": ctx.box.hostname, "r": KERNEL,
             "v": "#1 SMP PREEMPT_DYNAMIC", "m": "x86_64", "o": "GNU/Linux"}
    keys = "snrvmo" if "a" in opts else [k for k in "snrvmo" if k in opts] or ["s"]
    ctx.say(" ".join(parts[k] for k in keys) + "\n")
    return 0


@command("echo")
async def echo(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    newline, escapes = True, False
    while args and args[0] in ("-n", "-e", "-ne", "-en"):
        newline = newline and "n" not in args[0]
        escapes = escapes or "e" in args[0]
        args = args[1:]
    text = " ".join(args)
    if escapes:
        text = text.encode().decode("unicode_escape")
    ctx.say(text + ("\n" if newline else ""))
    return 0


@command("which")
async def which(ctx: Ctx) -> int:
    code = 0
    for name in ctx.argv[1:]:
        if ctx.box.has_command(name):
            ctx.say(f"/bin/{name}\n")
        else:
            code = 1
    return code


# ----- the network ------------------------------------------------------------------------------

@command("nslookup")
async def nslookup(ctx: Ctx) -> int:
    names = [a for a in ctx.argv[1:] if not a.startswith("-")]
    if not names:
        ctx.err(b"Usage: nslookup HOST [DNS_SERVER]\n")
        return 1
    ctx.say(f"Server:\t\t{DNS_SERVER}\nAddress:\t{DNS_SERVER}:53\n\n")
    try:
        name, ip = ctx.box.resolve(names[0], hosts_file=False)
    except HostNotFound:
        ctx.say(f"** server can't find {names[0]}: NXDOMAIN\n\n")
        return 1
    ctx.say(f"Name:\t{name}\nAddress: {ip}\n\n")
    return 0


@command("curl", "wget")
async def curl(ctx: Ctx) -> int:
    wget = ctx.argv[0] == "wget"
    method, body, output = "GET", b"", "" if not wget else None
    headers = {"User-Agent": "Wget" if wget else "curl/8.5.0"}
    include = head = fail = quiet = False
    url = ""
    args = ctx.argv[1:]
    i = 0
    long_opts = {"--request": "X", "--header": "H", "--data": "d", "--output": "o",
                 "--include": "i", "--head": "I", "--spider": "I", "--fail": "f",
                 "--silent": "s", "--quiet": "q", "--insecure": "k", "--location": "L",
                 "--user-agent": "A"}
    while i < len(args):
        a = long_opts.get(args[i], args[i])
        if a in long_opts.values():
            a = "-" + a
        if not a.startswith("-") or a == "-":
            url = a
            i += 1
            continue
        for j, ch in enumerate(a[1:], start=1):
            if ch in "XHdoOA":  # options with a value: the rest of the word or the next one
                value = a[j + 1:]
                if not value:
                    i += 1
                    value = args[i] if i < len(args) else ""
                if ch == "X":
                    method = value
                elif ch == "H":
                    k, _, v = value.partition(":")
                    headers[k.strip()] = v.strip()
                elif ch == "d":
                    body, method = value.encode(), "POST" if method == "GET" else method
                elif ch == "A":
                    headers["User-Agent"] = value
                else:
                    output = value
                break
            if ch == "i":
                include = True
            elif ch == "I":
                head, method = True, "HEAD"
            elif ch == "f":
                fail = True
            elif ch in "sq":
                quiet = True
        i += 1
    if not url:
        ctx.err(f"{ctx.argv[0]}: try '{ctx.argv[0]} --help' for more information\n".encode())
        return 2 if not wget else 1
    parts = urlsplit(url if "://" in url else "http://" + url)
    host, port = parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        _, ip = ctx.box.resolve(host)
        started = time.monotonic()
        reply = await ctx.box.http(ip, port, method, path, headers, body)
    except HostNotFound:
        if wget:
            ctx.err(f"wget: bad address '{host}'\n".encode())
            return 1
        ctx.err(f"curl: (6) Could not resolve host: {host}\n".encode())
        return 6
    except ConnectionRefused:
        if wget:
            ctx.err(f"wget: can't connect to remote host ({host}): Connection refused\n"
                    .encode())
            return 1
        ms = int((time.monotonic() - started) * 1000)
        ctx.err(f"curl: (7) Failed to connect to {host} port {port} after {ms} ms: "
                "Couldn't connect to server\n".encode())
        return 7
    if wget:
        if reply.status >= 400:
            ctx.err(f"wget: server returned error: HTTP/1.1 {reply.status} {reply.reason}\n"
                    .encode())
            return 1
        target = output or posixpath.basename(parts.path) or "index.html"
        if target == "-":
            ctx.out(reply.body)
        elif not head:
            if not quiet:
                ctx.err(f"Connecting to {host}:{port} ({ip}:{port})\n"
                        f"saving to '{target}'\n".encode())
            ctx.box.fs.write(ctx.path(target), reply.body)
        return 0
    if fail and reply.status >= 400:
        ctx.err(f"curl: (22) The requested URL returned error: {reply.status}\n".encode())
        return 22
    head_text = f"HTTP/1.1 {reply.status} {reply.reason}\r\n" + \
        "".join(f"{k}: {v}\r\n" for k, v in reply.headers) + "\r\n"
    data = (head_text.encode() if include or head else b"") + (b"" if head else reply.body)
    if output and output != "-":
        ctx.box.fs.write(ctx.path(output), data)
    else:
        ctx.out(data)
    return 0


def glob(ctx: Ctx, word: str) -> list[str]:
    """Pathname expansion of one word (the last component may hold * ? [...])."""
    if not any(ch in word for ch in "*?["):
        return [word]
    directory, pattern = posixpath.split(word)
    full = ctx.path(directory or ".")
    try:
        names = ctx.box.fs.listdir(full)
    except FsError:
        return [word]
    hits = [posixpath.join(directory, n) if directory else n for n in names
            if fnmatch.fnmatchcase(n, pattern) and (pattern.startswith(".") or
                                                   not n.startswith("."))]
    return hits or [word]
