"""Customers' media on disk, content-addressed by SHA-256.

``root/ab/cdef…`` holds the bytes of the file whose SHA-256 is ``abcdef…`` and
``root/ab/cdef….json`` its MIME type. The same picture sent twice is stored once. Files
are written to a temporary name in the same folder and renamed into place, so a reader
never sees half a file; the bytes file is renamed last and is what says "stored". Files
are readable by the owner only (0o600, folders 0o700): they are customers' data.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from theke.errors import StoreError

__all__ = ["Fetched", "MediaStore", "StoredMedia"]

_SHA256 = re.compile(r"[0-9a-f]{64}")
_DEFAULT_TYPE = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Fetched:
    """The bytes of a media file, its MIME type and their SHA-256 (hex)."""

    data: bytes
    mime_type: str
    sha256: str

    @classmethod
    def of(cls, data: bytes, mime_type: str) -> Fetched:
        return cls(data, mime_type, hashlib.sha256(data).hexdigest())


@dataclass(frozen=True, slots=True)
class StoredMedia:
    """A media file in the store."""

    sha256: str
    path: Path
    mime_type: str
    size: int


class MediaStore:
    """Content-addressed media files under ``root``."""

    def __init__(self, root: Path) -> None:
        self._root = root

    async def put(self, fetched: Fetched) -> StoredMedia:
        """Store ``fetched`` (once: storing the same bytes again changes nothing)."""
        return await asyncio.to_thread(self._put, fetched)

    def get(self, sha256: str) -> StoredMedia | None:
        """The stored file with this SHA-256, or ``None``."""
        if not _SHA256.fullmatch(sha256):
            return None
        path = self._path(sha256)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return None
        return StoredMedia(sha256, path, _read_type(_sidecar(path)), size)

    def open(self, sha256: str) -> BinaryIO:
        """The stored file for reading; ``FileNotFoundError`` when there is none."""
        stored = self.get(sha256)
        if stored is None:
            raise FileNotFoundError(f"no stored media {sha256[:64]!r}")
        return stored.path.open("rb")

    def _path(self, sha256: str) -> Path:
        return self._root / sha256[:2] / sha256[2:]

    def _put(self, fetched: Fetched) -> StoredMedia:
        digest = hashlib.sha256(fetched.data).hexdigest()
        if digest != fetched.sha256:
            raise ValueError(f"the SHA-256 given ({fetched.sha256[:16]}…) is not the data's")
        existing = self.get(digest)
        if existing is not None:
            return existing
        path = self._path(digest)
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            meta = json.dumps({"mime_type": fetched.mime_type}).encode()
            _write(_sidecar(path), meta)
            _write(path, fetched.data)
        except OSError as exc:
            raise StoreError(f"cannot store media under {self._root}: {exc.strerror}") from exc
        return StoredMedia(digest, path, fetched.mime_type, len(fetched.data))


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _read_type(sidecar: Path) -> str:
    try:
        meta = json.loads(sidecar.read_bytes())
    except (OSError, ValueError):
        return _DEFAULT_TYPE
    value = meta.get("mime_type") if isinstance(meta, dict) else None
    return value if isinstance(value, str) else _DEFAULT_TYPE


def _write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (mkstemp makes it 0o600)."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
