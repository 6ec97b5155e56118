"""A tiny raw-socket HTTP "server" that misbehaves on purpose: resets, stalls, garbage.

Each accepted connection reads one request and then does what `mode` says. `respond` modes
send `payload` bytes verbatim, so a test can answer anything at all.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading

MODES = (
    "respond",  # send `payload` and close
    "reset",  # read the request, then RST (SO_LINGER 0)
    "close_at_once",  # close before reading anything
    "stall",  # read the request, never answer
    "stall_mid_body",  # headers promise 100 bytes, 5 come, then nothing
    "truncated",  # headers promise 100 bytes, 5 come, then close
)


class RawServer:
    def __init__(self) -> None:
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = int(self.listener.getsockname()[1])
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.mode = "respond"
        self.payload = b""
        self.requests = 0
        self._stop = threading.Event()
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def set(self, mode: str, payload: bytes = b"") -> None:
        assert mode in MODES, mode
        self.mode, self.payload = mode, payload

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with self._lock:
                self._conns.append(conn)
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _read_request(self, conn: socket.socket) -> bool:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return False
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return False
            body += chunk
        self.requests += 1
        return True

    def _handle(self, conn: socket.socket) -> None:
        mode, payload = self.mode, self.payload
        try:
            conn.settimeout(10)
            if mode == "close_at_once":
                return
            if not self._read_request(conn):
                return
            if mode == "respond":
                conn.sendall(payload)
            elif mode == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            elif mode in ("stall_mid_body", "truncated"):
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 100\r\n\r\n" + b'{"ret'
                )
            if mode in ("stall", "stall_mid_body"):
                self._stop.wait(10)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def close(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        with contextlib.suppress(OSError):
            self.listener.close()
        with self._lock:
            for conn in self._conns:
                with contextlib.suppress(OSError):
                    conn.close()
        self._thread.join(timeout=5)


def http_response(
    body: bytes, status: str = "200 OK", headers: tuple[tuple[str, str], ...] = ()
) -> bytes:
    """A well-formed HTTP/1.1 response around `body` (Content-Length set, connection closed)."""
    lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers)]
    lines += [f"Content-Length: {len(body)}", "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
