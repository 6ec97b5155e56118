"""The sandbox's local CA and server certificate (trustme), kept in the kit's data folder.

Files in `<data folder>/tls/`: `ca.pem` (give it to a client: `curl --cacert`, an
`ssl.SSLContext`), `ca.key`, `server.pem` (certificate chain) and `server.key`; both keys are
written with mode 0o600. They are made once and reused; a new certificate is issued from the same
CA when the host is not among the certificate's names.
"""

from __future__ import annotations

import contextlib
import json
import os
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["TlsFiles", "client_context", "ensure_tls"]

_BASE_NAMES = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class TlsFiles:
    """Paths of the CA and the server's certificate and key."""

    ca_path: Path
    cert_path: Path
    key_path: Path


def ensure_tls(folder: Path, host: str = "127.0.0.1") -> TlsFiles:
    """Create (once) the CA and a server certificate valid for loopback and `host`."""
    tls = folder / "tls"
    tls.mkdir(parents=True, exist_ok=True)
    files = TlsFiles(tls / "ca.pem", tls / "server.pem", tls / "server.key")
    names = sorted({*_BASE_NAMES, host} - {"0.0.0.0", "::", ""})
    with _locked(tls / ".lock"):
        meta = tls / "names.json"
        if _complete(files, tls) and _names(meta) >= set(names):
            return files
        import trustme

        ca_key = tls / "ca.key"
        if files.ca_path.exists() and ca_key.exists():
            ca = trustme.CA.from_pem(files.ca_path.read_bytes(), ca_key.read_bytes())
        else:
            ca = trustme.CA(organization_name="sendmessage-kit sandbox (local only)")
            _write(ca_key, ca.private_key_pem.bytes(), secret=True)
            _write(files.ca_path, ca.cert_pem.bytes())
        leaf = ca.issue_cert(*names)
        _write(files.key_path, leaf.private_key_pem.bytes(), secret=True)
        _write(files.cert_path, b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
        _write(meta, json.dumps(names).encode())
    return files


def client_context(ca_path: str | Path) -> ssl.SSLContext:
    """An `ssl.SSLContext` that trusts only the sandbox's CA (pass it as `verify=`)."""
    return ssl.create_default_context(cafile=str(ca_path))


def _complete(files: TlsFiles, tls: Path) -> bool:
    paths = (files.ca_path, files.cert_path, files.key_path, tls / "ca.key")
    return all(p.exists() for p in paths)


def _names(meta: Path) -> set[str]:
    try:
        return set(json.loads(meta.read_text()))
    except (OSError, ValueError):
        return set()


def _write(path: Path, data: bytes, *, secret: bool = False) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if secret else 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    if secret:
        os.chmod(tmp, 0o600)  # the umask cannot widen it, but an existing file keeps its mode
    os.replace(tmp, path)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Serialise creation between processes (two kernels starting at once)."""
    with open(path, "a+b") as fh:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no lock, files are replaced atomically
            yield
            return
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
