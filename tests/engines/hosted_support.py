"""Shared pieces of the hosted-request tests: a sign-in stand-in, a CDP Chromium, JPEG sizes."""

from __future__ import annotations

import re
import socket
import struct
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

GREETING = re.compile(r"Welcome back, \w+!")


def find(prompt: Any, **match: str) -> Any:
    """``prompt.find(...)``, failing the test when the prompt shows no such element."""
    element = prompt.find(**match)
    assert element is not None, f"no element {match} in the {prompt.purpose} prompt"
    return element


def sign_in_policy(request: Any) -> Any:
    """Sign in as demo on /login/, complete on the members page (a PromptLLM policy)."""
    text = request.text
    signed_in = GREETING.search(text)
    if request.purpose == "verify":
        return {"user_goal_achieved": bool(signed_in), "thoughts": "checked the page"}
    if request.purpose == "extract":
        return {"greeting": signed_in.group(0) if signed_in else None}
    if request.purpose == "error_codes":
        return {"errors": []}
    assert request.purpose == "plan", request.purpose
    if signed_in:
        return {"actions": [{"action_type": "COMPLETE", "reason": "the members area greets us"}]}
    if "Sign in" not in text:
        return {"actions": [{"action_type": "TERMINATE", "reason": "not the sign-in page"}]}
    return {
        "actions": [
            {"action_type": "INPUT_TEXT", "id": find(request, name="username").id, "text": "demo"},
            {
                "action_type": "INPUT_TEXT",
                "id": find(request, type="password").id,
                "text": "correct-horse-battery",
            },
            {"action_type": "CLICK", "id": find(request, tag="button", text="Sign in").id},
        ]
    }


def members_policy(request: Any) -> Any:
    """Complete when the members page greets us; terminate on the sign-in form."""
    text = request.text
    if request.purpose == "verify":
        return {"user_goal_achieved": bool(GREETING.search(text))}
    if request.purpose == "error_codes":
        return {"errors": []}
    if GREETING.search(text):
        return {"actions": [{"action_type": "COMPLETE", "reason": "signed in already"}]}
    return {"actions": [{"action_type": "TERMINATE", "reason": "not signed in"}]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


EXTERNAL_UA = "ExternalChromium/1.0 (started by the test)"


@contextmanager
def chromium_with_debugging_port(
    profile_dir: Path,
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """/usr/bin/chromium, headless, with --remote-debugging-port on a free local port."""
    import shutil

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "these tests need Debian's chromium"
    port = free_port()
    process = subprocess.Popen(
        [
            executable,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            f"--user-data-dir={profile_dir}",
            f"--remote-debugging-port={port}",
            "--remote-debugging-address=127.0.0.1",
            f"--user-agent={EXTERNAL_UA}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/json/version", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError(
                        "the test's Chromium did not open its debugging port"
                    ) from None
                time.sleep(0.2)
        yield process, port
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG's frame header."""
    index = 2
    while index < len(data):
        marker, length = data[index + 1], struct.unpack(">H", data[index + 2 : index + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return width, height
        index += 2 + length
    raise AssertionError("no JPEG frame header")


class RecordingRelay:
    """A TCP relay in front of a local port that keeps what clients send first on each connection.

    Used to see the CDP handshake (its HTTP request and WebSocket upgrade) and its headers.
    """

    def __init__(self, target_port: int) -> None:
        import threading

        self.target_port = target_port
        self.received: list[bytes] = []
        self._server = socket.socket()
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(8)
        self.port = int(self._server.getsockname()[1])
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import threading

        while not self._stop:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))

            def pipe(src: socket.socket, dst: socket.socket, record: bool) -> None:
                try:
                    while data := src.recv(65536):
                        if record:
                            self.received.append(data)
                            record = False  # the first bytes hold the request and headers
                        dst.sendall(data)
                except OSError:
                    pass
                finally:
                    for sock in (src, dst):
                        try:
                            sock.shutdown(socket.SHUT_RDWR)
                        except OSError:
                            pass

            threading.Thread(target=pipe, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=pipe, args=(upstream, client, False), daemon=True).start()

    def close(self) -> None:
        self._stop = True
        self._server.close()
