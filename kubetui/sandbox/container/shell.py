"""A small POSIX-ish shell for the simulated containers (`sh`, and `bash` where the image
has it).

Enough for a person at a prompt and for the scripts clients send (`sh -c "..."`): quoting
('...', "...", backslash), `$VAR`/`${VAR}`/`$?` expansion, pathname expansion of the last
path component, pipes, `&&`, `||`, `;`, redirections (`>`, `>>`, `<`, `2>`, `2>&1`),
`VAR=value` assignments, the builtins `cd`, `exit`, `export`, `unset`, `exec`, and the
utilities of `commands.py`. Unknown commands fail with 127 and the message the real shell
prints (`sh: foo: not found`, `bash: foo: command not found`).

Pipelines run their stages one after another, each stage reading what the previous one
wrote: the output is the same as a concurrent pipe's for every command here.
"""

from __future__ import annotations

import asyncio
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field

from kubetui.sandbox.container.commands import COMMANDS, glob
from kubetui.sandbox.container.fs import FsError
from kubetui.sandbox.container.pipe import Input, Pipe
from kubetui.sandbox.container.process import Box, Ctx

OPERATORS = ("&&", "||", ";", "|", "&")
REDIRECTS = ("2>&1", ">&2", "2>>", "2>", ">>", ">", "<")
SEARCH_DIRS = ("/bin/", "/usr/bin/", "/sbin/", "/usr/sbin/", "/usr/local/bin/")

Part = tuple[str, str]  # (quoting: "plain" | "dq" | "sq", text)


@dataclass
class Word:
    parts: list[Part] = field(default_factory=list)


@dataclass
class Simple:
    words: list[Word] = field(default_factory=list)
    redirects: list[tuple[str, Word | None]] = field(default_factory=list)


class ShellSyntaxError(Exception):
    pass


def tokenize(line: str) -> list[Word | str]:
    """Words and operator strings (newlines are `;`)."""
    out: list[Word | str] = []
    word: Word | None = None
    plain = ""
    i = 0

    def flush_plain() -> None:
        nonlocal plain, word
        if plain:
            word = word or Word()
            word.parts.append(("plain", plain))
            plain = ""

    def end_word() -> None:
        nonlocal word
        flush_plain()
        if word is not None:
            out.append(word)
            word = None

    while i < len(line):
        ch = line[i]
        if ch in " \t":
            end_word()
        elif ch == "\n":
            end_word()
            out.append(";")
        elif ch == "#" and word is None and not plain:
            j = line.find("\n", i)
            i = len(line) if j < 0 else j
            continue
        elif ch == "\\":
            plain += line[i + 1:i + 2]
            i += 2
            continue
        elif ch == "'":
            j = line.find("'", i + 1)
            if j < 0:
                raise ShellSyntaxError("unterminated quoted string")
            flush_plain()
            word = word or Word()
            word.parts.append(("sq", line[i + 1:j]))
            i = j + 1
            continue
        elif ch == '"':
            j, text = i + 1, ""
            while j < len(line) and line[j] != '"':
                if line[j] == "\\" and j + 1 < len(line) and line[j + 1] in '"\\$`':
                    text += line[j + 1]
                    j += 2
                    continue
                text += line[j]
                j += 1
            if j >= len(line):
                raise ShellSyntaxError("unterminated quoted string")
            flush_plain()
            word = word or Word()
            word.parts.append(("dq", text))
            i = j + 1
            continue
        else:
            op = next((o for o in REDIRECTS if line.startswith(o, i)), None)
            if op is not None and (op[0] != "2" or (word is None and not plain)):
                end_word()
                out.append(op)
                i += len(op)
                continue
            op = next((o for o in OPERATORS if line.startswith(o, i)), None)
            if op is not None:
                end_word()
                out.append(op)
                i += len(op)
                continue
            plain += ch
        i += 1
    end_word()
    return out


def parse(line: str) -> list[tuple[str, list[Simple]]]:
    """[(operator before it, pipeline)]: `;`, `&&` or `||` joins a pipeline to the one
    before."""
    items: list[tuple[str, list[Simple]]] = []
    op, pipeline, cmd = ";", [], Simple()
    tokens = tokenize(line)
    i = 0

    def close_pipeline(next_op: str) -> None:
        nonlocal op, pipeline, cmd
        if cmd.words or cmd.redirects:
            pipeline.append(cmd)
        elif pipeline or next_op in ("&&", "||", "|"):
            raise ShellSyntaxError(f"syntax error near unexpected token `{next_op}'")
        if pipeline:
            items.append((op, pipeline))
        op, pipeline, cmd = next_op, [], Simple()

    while i < len(tokens):
        tok = tokens[i]
        if isinstance(tok, Word):
            cmd.words.append(tok)
        elif tok in REDIRECTS:
            target = None
            if tok not in ("2>&1", ">&2"):
                i += 1
                if i >= len(tokens) or not isinstance(tokens[i], Word):
                    raise ShellSyntaxError("syntax error near unexpected token `newline'")
                target = tokens[i]  # type: ignore[assignment]
            cmd.redirects.append((tok, target))
        elif tok == "|":
            if not cmd.words:
                raise ShellSyntaxError("syntax error near unexpected token `|'")
            pipeline.append(cmd)
            cmd = Simple()
        else:
            close_pipeline(";" if tok == "&" else tok)
        i += 1
    if op in ("&&", "||") and not cmd.words and not pipeline:
        raise ShellSyntaxError("syntax error: unexpected end of file")
    close_pipeline(";")
    return items


class Shell:
    """One shell process: `run_script` for `sh -c`, `interactive` for a prompt."""

    def __init__(self, box: Box, name: str, stdin: Input, out: Callable[[bytes], None],
                 err: Callable[[bytes], None], env: dict[str, str], tty: bool = False,
                 cwd: str = "/") -> None:
        self.box, self.name, self.stdin, self.out, self.err = box, name, stdin, out, err
        self.env = env
        self.vars: dict[str, str] = {}
        self.tty = tty
        self.cwd = cwd
        self.status = 0
        self.exited = False
        self._fg: asyncio.Task[int] | None = None
        self._interrupted = False

    # ----- entry points -------------------------------------------------------------------

    async def run_script(self, script: str) -> int:
        await self.run_line(script)
        return self.status

    async def interactive(self) -> int:
        while not self.exited:
            self.out(self.prompt().encode())
            line = await self.stdin.readline()
            if not line:
                if self.name == "bash":
                    self.out(b"exit\n")
                break
            await self.run_line(line.decode(errors="replace"))
        return self.status

    def prompt(self) -> str:
        sign = "#" if self.box.uid == 0 else "$"
        home = self.env.get("HOME", "/root")
        where = "~" + self.cwd[len(home):] if home != "/" and \
            (self.cwd == home or self.cwd.startswith(home + "/")) else self.cwd
        if self.name == "bash":
            user = "root" if self.box.uid == 0 else "I have no name!"
            return f"{user}@{self.box.hostname}:{where}{sign} "
        return f"{where} {sign} "

    def interrupt(self) -> None:
        """^C: stop the foreground command, or show a fresh prompt."""
        if self._fg is not None and not self._fg.done():
            self._interrupted = True
            self._fg.cancel()
        else:
            self.status = 130
            self.out(self.prompt().encode())

    # ----- running ------------------------------------------------------------------------

    async def run_line(self, line: str) -> None:
        try:
            items = parse(line)
        except ShellSyntaxError as e:
            self.err(f"{self.name}: {e}\n".encode())
            self.status = 2
            return
        for op, pipeline in items:
            if (op == "&&" and self.status != 0) or (op == "||" and self.status == 0):
                continue
            self.status = await self._pipeline(pipeline)
            if self.exited:
                break

    async def _pipeline(self, stages: list[Simple]) -> int:
        stdin: Input = self.stdin
        status = 0
        for n, stage in enumerate(stages):
            last = n == len(stages) - 1
            buf = bytearray()
            status = await self._simple(stage, stdin, self.out if last else buf.extend)
            if not last:
                stdin = Pipe(bytes(buf), closed=True)
        return status

    def expand(self, word: Word) -> list[str]:
        text, globbing = "", False
        for quoting, part in word.parts:
            if quoting == "sq":
                text += part
                continue
            text += self._expand_vars(part)
            globbing = globbing or (quoting == "plain" and any(c in part for c in "*?["))
        if globbing:
            return glob(self._ctx([], self.stdin, self.out, self.err), text)
        return [text]

    def _expand_vars(self, text: str) -> str:
        out, i = "", 0
        while i < len(text):
            if text[i] != "$" or i + 1 >= len(text):
                out += text[i]
                i += 1
                continue
            nxt = text[i + 1]
            if nxt in "?$#0":
                out += {"?": str(self.status), "$": "1", "#": "0", "0": self.name}[nxt]
                i += 2
            elif nxt == "{":
                j = text.find("}", i)
                name = text[i + 2:j] if j > 0 else ""
                out += self._lookup(name.split(":-")[0]) or \
                    (name.split(":-", 1)[1] if ":-" in name else "")
                i = j + 1 if j > 0 else len(text)
            elif nxt.isalpha() or nxt == "_":
                j = i + 1
                while j < len(text) and (text[j].isalnum() or text[j] == "_"):
                    j += 1
                out += self._lookup(text[i + 1:j])
                i = j
            else:
                out += "$"
                i += 1
        return out

    def _lookup(self, name: str) -> str:
        if name == "PWD":
            return self.cwd
        return self.vars.get(name, self.env.get(name, ""))

    def ctx(self, argv: list[str]) -> Ctx:
        """A context for running `argv` on this shell's streams."""
        return self._ctx(argv, self.stdin, self.out, self.err)

    def _ctx(self, argv: list[str], stdin: Input, out: Callable[[bytes], None],
             err: Callable[[bytes], None]) -> Ctx:
        return Ctx(argv, stdin, out, err, self.env, self.cwd, self.box, shell=self.name,
                   tty=self.tty, vars=self.vars)

    async def _simple(self, cmd: Simple, stdin: Input, out: Callable[[bytes], None]) -> int:
        argv = [a for w in cmd.words for a in self.expand(w)]
        assigns: dict[str, str] = {}
        while argv and "=" in argv[0] and argv[0].split("=", 1)[0].isidentifier():
            k, v = argv.pop(0).split("=", 1)
            assigns[k] = v
        err = self.err
        writes: list[tuple[str, bool, bytearray]] = []
        for op, target in cmd.redirects:
            path = self.expand(target)[0] if target is not None else ""
            if op == "2>&1":
                err = out
            elif op == ">&2":
                out = err
            elif op == "<":
                try:
                    stdin = Pipe(self.box.fs.read(posixpath.join(self.cwd, path)), closed=True)
                except FsError as e:
                    self.err(f"{self.name}: can't open {path}: {e.reason}\n".encode())
                    return 1
            elif path == "/dev/null":
                if op.startswith("2"):
                    err = _discard
                else:
                    out = _discard
            else:
                buf = bytearray()
                writes.append((path, op.endswith(">>"), buf))
                if op.startswith("2"):
                    err = buf.extend
                else:
                    out = buf.extend
        if not argv:
            self.vars.update(assigns)
            return self._flush(writes)
        status = await self._run(argv, stdin, out, err, assigns)
        flushed = self._flush(writes)
        return status or flushed

    def _flush(self, writes: list[tuple[str, bool, bytearray]]) -> int:
        for path, append, buf in writes:
            try:
                self.box.fs.write(posixpath.join(self.cwd, path), bytes(buf), append=append)
            except FsError as e:
                self.err(f"{self.name}: can't create {path}: {e.reason}\n".encode())
                return 1
        return 0

    async def _run(self, argv: list[str], stdin: Input, out: Callable[[bytes], None],
                   err: Callable[[bytes], None], assigns: dict[str, str]) -> int:
        name = argv[0]
        builtin = getattr(self, f"_builtin_{name}", None)
        if builtin is not None:
            return builtin(argv)
        if name == "exec" and len(argv) > 1:
            status = await self._run(argv[1:], stdin, out, err, assigns)
            self.exited = True
            return status
        if "/" in name:
            base = posixpath.basename(name)
            if not any(name.startswith(d) for d in SEARCH_DIRS) or \
                    not self.box.has_command(base):
                what = "Permission denied" if self.box.fs.is_file(
                    posixpath.join(self.cwd, name)) else "not found"
                self.err(f"{self.name}: {name}: {what}\n".encode())
                return 126 if what == "Permission denied" else 127
            name = base
        if not self.box.has_command(name):
            msg = f"{name}: command not found" if self.name == "bash" else f"{name}: not found"
            self.err(f"{self.name}: {msg}\n".encode())
            return 127
        env = {**self.env, **assigns}
        ctx = Ctx([name, *argv[1:]], stdin, out, err, env, self.cwd, self.box,
                  shell=self.name, tty=self.tty, vars=self.vars)
        if name in self.box.shell_names():
            return await self._subshell(ctx)
        return await self.foreground(" ".join(argv), COMMANDS[name](ctx))

    async def foreground(self, command: str, work: object) -> int:
        """Run a command as a process of the container: listed by `ps`, stopped by ^C
        (exit 130) or `kill` (128 + signal)."""
        task: asyncio.Task[int] = asyncio.ensure_future(work)  # type: ignore[arg-type]
        proc = self.box.procs.start(command, task, "root" if self.box.uid == 0 else
                                    str(self.box.uid))
        self._fg, self._interrupted = task, False
        try:
            return await task
        except asyncio.CancelledError:
            if self._interrupted:
                return 130
            if proc.signal:
                if self.tty or proc.signal == 9:
                    self.err(b"Killed\n" if proc.signal == 9 else b"Terminated\n")
                return 128 + proc.signal
            raise
        finally:
            self._fg = None
            self.box.procs.end(proc)

    async def _subshell(self, ctx: Ctx) -> int:
        args = ctx.argv[1:]
        sub = Shell(self.box, ctx.argv[0], ctx.stdin, ctx.out, ctx.err, dict(ctx.env),
                    tty=self.tty, cwd=self.cwd)
        if args[:1] == ["-c"]:
            return await self.foreground(" ".join(ctx.argv), sub.run_script(
                args[1] if len(args) > 1 else ""))
        if args and not args[0].startswith("-"):
            try:
                script = self.box.fs.read(posixpath.join(self.cwd, args[0])).decode()
            except FsError as e:
                ctx.err(f"{ctx.argv[0]}: {args[0]}: {e.reason}\n".encode())
                return 127
            return await sub.run_script(script)
        return await sub.interactive()

    # ----- builtins -----------------------------------------------------------------------

    def _builtin_cd(self, argv: list[str]) -> int:
        target = argv[1] if len(argv) > 1 else self.env.get("HOME", "/")
        path = posixpath.normpath(posixpath.join(self.cwd, target))
        if not self.box.fs.is_dir(path):
            reason = "Not a directory" if self.box.fs.exists(path) else \
                "No such file or directory"
            self.err(f"{self.name}: cd: {target}: {reason}\n".encode())
            return 1
        self.cwd = path
        self.env["PWD"] = path
        return 0

    def _builtin_exit(self, argv: list[str]) -> int:
        self.exited = True
        if len(argv) > 1:
            try:
                self.status = int(argv[1]) & 0xFF
            except ValueError:
                self.err(f"{self.name}: exit: Illegal number: {argv[1]}\n".encode())
                self.status = 2
        return self.status

    def _builtin_export(self, argv: list[str]) -> int:
        for a in argv[1:]:
            k, eq, v = a.partition("=")
            self.env[k] = v if eq else self.vars.get(k, self.env.get(k, ""))
        return 0

    def _builtin_unset(self, argv: list[str]) -> int:
        for k in argv[1:]:
            self.env.pop(k, None)
            self.vars.pop(k, None)
        return 0


def _discard(_: bytes) -> None:
    return None
