"""A container's filesystem: the image's files, volumes mounted at their `mountPath`s and a
writable layer on top.

Read-only mounts (ConfigMap, Secret, downwardAPI, projected) are computed when read, so an
updated ConfigMap shows up as it does on a kubelet (which refreshes them within its sync
period). emptyDir volumes are one `Volume` shared by the pod's containers. The writable
layer belongs to one container instance: a restarted container starts from the image
again."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field

Content = bytes | Callable[[], bytes]

ENOENT = "No such file or directory"
EISDIR = "Is a directory"
ENOTDIR = "Not a directory"
EROFS = "Read-only file system"
ENOTEMPTY = "Directory not empty"


class FsError(Exception):
    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = path, reason


@dataclass
class Volume:
    """A writable volume's contents (emptyDir), shared by the containers mounting it."""

    files: dict[str, bytes] = field(default_factory=dict)  # relative path -> content
    dirs: set[str] = field(default_factory=set)


@dataclass
class Mount:
    path: str
    read_only_files: Callable[[], dict[str, bytes]] | None = None
    volume: Volume | None = None


def norm(path: str, cwd: str = "/") -> str:
    return posixpath.normpath(posixpath.join(cwd, path)).replace("//", "/")


def _under(path: str, top: str) -> bool:
    return top == "/" or path == top or path.startswith(top + "/")


class ContainerFS:
    def __init__(self, base: dict[str, Content], mounts: list[Mount]) -> None:
        self._base = base
        self._mounts = sorted(mounts, key=lambda m: -len(m.path))
        self._files: dict[str, bytes] = {}
        self._dirs: set[str] = set()
        self._gone: set[str] = set()

    # ----- reading --------------------------------------------------------------------------

    def _mount(self, path: str) -> tuple[Mount, str] | None:
        for m in self._mounts:
            if _under(path, m.path):
                return m, path[len(m.path):].lstrip("/")
        return None

    def _mount_files(self, m: Mount) -> dict[str, bytes]:
        if m.read_only_files is not None:
            return m.read_only_files()
        assert m.volume is not None
        return m.volume.files

    def _root_files(self) -> dict[str, Content]:
        out: dict[str, Content] = {p: c for p, c in self._base.items() if p not in self._gone}
        out.update(self._files)
        return out

    def read(self, path: str) -> bytes:
        path = norm(path)
        if self.is_dir(path):
            raise FsError(path, EISDIR)
        found = self._mount(path)
        if found:
            m, rel = found
            data = self._mount_files(m).get(rel)
            if data is None:
                raise FsError(path, ENOENT)
            return data
        content = self._root_files().get(path)
        if content is None:
            raise FsError(path, ENOENT)
        return content() if callable(content) else content

    def is_dir(self, path: str) -> bool:
        path = norm(path)
        if path == "/" or any(_under(m.path, path) for m in self._mounts):
            return True
        found = self._mount(path)
        if found:
            m, rel = found
            files = self._mount_files(m)
            return any(k.startswith(rel + "/") for k in files) or \
                (m.volume is not None and rel in m.volume.dirs)
        return path in self._dirs or any(p.startswith(path + "/")
                                         for p in self._root_files())

    def is_file(self, path: str) -> bool:
        try:
            self.read(path)
            return True
        except FsError:
            return False

    def exists(self, path: str) -> bool:
        return self.is_dir(path) or self.is_file(path)

    def listdir(self, path: str) -> list[str]:
        path = norm(path)
        if not self.is_dir(path):
            raise FsError(path, ENOTDIR if self.exists(path) else ENOENT)
        names: set[str] = set()
        prefix = "" if path == "/" else path

        def add(full: str) -> None:
            if full.startswith(prefix + "/") and full != path:
                names.add(full[len(prefix) + 1:].split("/", 1)[0])

        for m in self._mounts:
            add(m.path)
        found = self._mount(path)
        if found:
            m, rel = found
            base = m.path.rstrip("/")
            for k in self._mount_files(m):
                add(f"{base}/{k}")
            for d in (m.volume.dirs if m.volume else ()):
                add(f"{base}/{d}")
        else:
            for p in list(self._root_files()) + list(self._dirs):
                add(p)
        return sorted(names)

    # ----- writing --------------------------------------------------------------------------

    def write(self, path: str, data: bytes, append: bool = False) -> None:
        path = norm(path)
        if self.is_dir(path):
            raise FsError(path, EISDIR)
        parent = posixpath.dirname(path)
        if not self.is_dir(parent):
            raise FsError(path, ENOENT)
        if append and self.is_file(path):
            data = self.read(path) + data
        found = self._mount(path)
        if found:
            m, rel = found
            if m.volume is None:
                raise FsError(path, EROFS)
            m.volume.files[rel] = data
            return
        self._files[path] = data
        self._gone.discard(path)

    def mkdir(self, path: str, parents: bool = False) -> None:
        path = norm(path)
        if self.exists(path):
            if parents and self.is_dir(path):
                return
            raise FsError(path, "File exists")
        parent = posixpath.dirname(path)
        if not self.is_dir(parent):
            if not parents:
                raise FsError(path, ENOENT)
            self.mkdir(parent, parents=True)
        found = self._mount(path)
        if found:
            m, rel = found
            if m.volume is None:
                raise FsError(path, EROFS)
            m.volume.dirs.add(rel)
            return
        self._dirs.add(path)

    def remove(self, path: str, recursive: bool = False) -> None:
        path = norm(path)
        if not self.exists(path):
            raise FsError(path, ENOENT)
        if self.is_dir(path):
            if not recursive and self.listdir(path):
                raise FsError(path, ENOTEMPTY)
            for name in self.listdir(path):
                self.remove(f"{path.rstrip('/')}/{name}", recursive=True)
        found = self._mount(path)
        if found:
            m, rel = found
            if m.volume is None or not rel:
                raise FsError(path, EROFS if m.volume is None else "Device or resource busy")
            m.volume.files.pop(rel, None)
            m.volume.dirs.discard(rel)
            return
        self._files.pop(path, None)
        self._dirs.discard(path)
        if path in self._base:
            self._gone.add(path)
