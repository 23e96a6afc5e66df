"""The relay model: a person, or another language model, answers every call by hand.

``AGENT_LLM=manual/<name>`` (or ``Agent(llm="manual/<name>")``) makes each model call
show its prompt and wait for the answer, so any run can be driven, and any prompt
debugged, with nothing but the messages a real model would get:

- with ``AGENT_MANUAL_DIR=/some/dir`` each call writes ``NNN-<purpose>.prompt.md`` there
  (every message as text; screenshots saved beside it as ``NNN-k.png`` and referenced),
  then waits for ``NNN-<purpose>.answer.json`` (or ``.answer.txt``) to appear and takes
  its content as the model's raw answer. Write the answer to another name and rename it,
  or write it whole at once: a file is read once its size has held still;
- without it, the prompt is printed on stderr (screenshots saved to a temporary folder,
  whose path is printed) and the answer is read from stdin up to a line holding only
  ``.``, or the end of input.

The relay is a double of :mod:`agent.llm.doubles` (registered as
``agent-test/manual-<name>``), so calls go through :mod:`agent.llm.call` and litellm like a
real model's: answers are parsed and re-asked once when unusable (the re-ask is a call of
its own, with its own number), tokens are counted with litellm's tokenizer. The wait runs
on a worker thread, never on the run's event loop; it ends with the call's timeout
(``AGENT_LLM_TIMEOUT``, raise it for a person) and when the run is canceled.
``AGENT_MANUAL_VISION=0`` sends no screenshots (a text-only model's prompts).

:func:`read_prompt_file` reads a prompt file back as an :class:`agent.testing.stand_ins.Prompt`, for
a reader written in Python.
"""

from __future__ import annotations

import asyncio
import base64
import os
import re
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

from agent.llm.doubles import TEST_PROVIDER, add_double
from agent.llm.prompt_reading import Prompt
from agent.llm.request import LLMRequest
from agent.records.errors import ConfigError

MANUAL_PREFIX = "manual/"
"""Model names starting with this are answered by a :class:`ManualRelay`."""
POLL_SECONDS = 0.05
"""How often the relay looks for an answer file."""
END_LINE = "."
"""On a terminal, a line holding only this ends the answer."""
_MESSAGE = re.compile(r"^===== message \d+ \((?P<role>\w+)\) =====$", re.M)
_IMAGE = re.compile(r"^!\[screenshot\]\((?P<file>[^)]+)\)$", re.M)
_NUMBERED = re.compile(r"^(?P<n>\d{3,})-")

_relays: dict[tuple[str, str, bool], ManualRelay] = {}
_lock = threading.Lock()


def is_manual(model: str | None) -> bool:
    """Whether ``model`` names the relay (``manual/<name>``)."""
    return bool(model) and str(model).startswith(MANUAL_PREFIX)


def relay_name(model: str) -> str:
    """The ``<name>`` of ``manual/<name>``; a :class:`~agent.records.errors.ConfigError` if it has none."""
    name = model[len(MANUAL_PREFIX) :].strip()
    if not name or "/" in name:
        raise ConfigError(
            f"a relay model is named manual/<name> with a plain name, such as manual/me, "
            f"not {model!r}"
        )
    return name


def relay_model(model: str) -> str:
    """The litellm model name that serves ``model``: a relay's for ``manual/<name>``, else itself.

    The relay's settings come from the environment at this moment (``AGENT_MANUAL_DIR``,
    ``AGENT_MANUAL_VISION``); one relay is kept per name and settings.
    """
    if not is_manual(model):
        return model
    name = relay_name(model)
    folder = os.environ.get("AGENT_MANUAL_DIR", "").strip()
    vision = os.environ.get("AGENT_MANUAL_VISION", "1").strip().lower() not in ("0", "false", "no")
    key = (name, folder, vision)
    with _lock:
        relay = _relays.get(key)
        if relay is None:
            relay = _relays[key] = ManualRelay(
                name, folder=Path(folder) if folder else None, vision=vision
            )
    return relay.model_name


class ManualRelay:
    """A model whose answers are typed by hand (see the module's text).

    ``folder`` None means the terminal (``stdin``/``stderr``, or the given streams).
    """

    priced_as: str | None = None

    def __init__(
        self,
        name: str,
        *,
        folder: Path | None = None,
        vision: bool = True,
        stdin: IO[str] | None = None,
        stderr: IO[str] | None = None,
    ) -> None:
        self.name = name
        self.folder = folder
        self.vision = vision
        self.stdin = stdin
        self.stderr = stderr
        self.model_name = f"{TEST_PROVIDER}/manual-{name}-{len(_relays) + 1}"
        self._images: Path | None = None
        add_double(self)

    # -- what the doubles' provider calls --------------------------------------------------------
    def serve_request(self, request: LLMRequest) -> str:
        """Show ``request``'s messages and return the answer (blocks until it comes)."""
        return self._serve(request, threading.Event())

    async def aserve_request(self, request: LLMRequest) -> str:
        """:meth:`serve_request` on a worker thread; a cancel (timeout, run canceled) stops it."""
        stop = threading.Event()
        try:
            return await asyncio.to_thread(self._serve, request, stop)
        except asyncio.CancelledError:
            stop.set()
            raise

    # -- the two desks ---------------------------------------------------------------------------
    def _serve(self, request: LLMRequest, stop: threading.Event) -> str:
        if self.folder is not None:
            return self._serve_folder(self.folder, request, stop)
        return self._serve_terminal(request)

    def _serve_folder(self, folder: Path, request: LLMRequest, stop: threading.Event) -> str:
        folder.mkdir(parents=True, exist_ok=True)
        with _lock:  # the number is taken and its file written at once: runs may share a folder
            number = _next_number(folder)
            stem = f"{number:03d}-{request.purpose}"
            text = self._prompt_text(stem, request, folder)
            _write_whole(folder / f"{stem}.prompt.md", text)
        answers = [folder / f"{stem}.answer.json", folder / f"{stem}.answer.txt"]
        return _wait_for_answer(answers, stop)

    def _serve_terminal(self, request: LLMRequest) -> str:
        out = self.stderr or sys.stderr
        source = self.stdin or sys.stdin
        if self._images is None:
            self._images = Path(tempfile.mkdtemp(prefix="agent-manual-"))
        with _lock:
            number = _next_number(self._images)
            stem = f"{number:03d}-{request.purpose}"
            text = self._prompt_text(stem, request, self._images)
            _write_whole(self._images / f"{stem}.prompt.md", text)
        out.write(f"\n{text}\n")
        if self._images is not None:
            out.write(f"(screenshots, if any, are in {self._images})\n")
        out.write(f"Type the model's answer, then a line with only {END_LINE!r}:\n")
        out.flush()
        lines: list[str] = []
        while True:
            line = source.readline()
            if not line or line.rstrip("\r\n") == END_LINE:
                break
            lines.append(line)
        return "".join(lines)

    def _prompt_text(self, stem: str, request: LLMRequest, folder: Path) -> str:
        """The call as markdown: a header, then each message's text; images saved beside it."""
        parts = [
            f"# Call {stem}: {request.purpose} (relay model manual/{self.name})",
            f"Answer with the model's raw reply in {stem}.answer.json (or .answer.txt).",
            "",
        ]
        images = 0
        for index, message in enumerate(request.messages, start=1):
            parts.append(f"===== message {index} ({message.get('role', 'user')}) =====")
            content = message.get("content")
            for part in content if isinstance(content, list) else [content]:
                if isinstance(part, str):
                    parts.append(part)
                elif isinstance(part, dict) and part.get("type") == "text":
                    parts.append(str(part.get("text", "")))
                elif isinstance(part, dict) and part.get("type") == "image_url":
                    images += 1
                    name = f"{stem[:3]}-{images}.png"
                    _save_image(part, folder / name)
                    parts.append(f"![screenshot]({name})")
            parts.append("")
        return "\n".join(parts)


def _next_number(folder: Path) -> int:
    taken = (_NUMBERED.match(p.name) for p in folder.glob("*.prompt.md"))
    return max((int(m["n"]) for m in taken if m), default=0) + 1


def _write_whole(path: Path, text: str) -> None:
    """Write ``text`` under another name, then rename: a watcher never sees half a prompt."""
    partial = path.with_name(path.name + ".part")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def _save_image(part: dict[str, Any], path: Path) -> None:
    url = str((part.get("image_url") or {}).get("url", ""))
    _, _, data = url.partition("base64,")
    path.write_bytes(base64.b64decode(data) if data else b"")


def _wait_for_answer(paths: list[Path], stop: threading.Event) -> str:
    """The content of the first of ``paths`` to appear, once its size holds still."""
    last_size: dict[Path, int] = {}
    while not stop.is_set():
        for path in paths:
            try:
                size = path.stat().st_size
            except OSError:
                continue
            if size > 0 and last_size.get(path) == size:
                return path.read_text(encoding="utf-8")
            last_size[path] = size
        time.sleep(POLL_SECONDS)
    return ""  # the call was given up (timeout, cancel): nobody reads this any more


def read_prompt_file(path: str | Path) -> Prompt:
    """A prompt file the relay wrote, as the :class:`~agent.testing.stand_ins.Prompt` it was sent.

    The purpose comes from the file name (``NNN-<purpose>.prompt.md``); the messages from
    its sections; screenshots are read back from their files.
    """
    path = Path(path)
    purpose = path.name.split("-", 1)[1].removesuffix(".prompt.md")
    text = path.read_text(encoding="utf-8")
    heads = list(_MESSAGE.finditer(text))
    messages: list[dict[str, Any]] = []
    for head, after in zip(heads, [*heads[1:], None], strict=True):
        body = text[head.end() + 1 : after.start() if after else len(text)].rstrip("\n")
        images = [m["file"] for m in _IMAGE.finditer(body)]
        body = _IMAGE.sub("", body).rstrip("\n")
        if not images:
            messages.append({"role": head["role"], "content": body})
            continue
        content: list[dict[str, Any]] = [{"type": "text", "text": body}]
        for name in images:
            data = base64.b64encode((path.parent / name).read_bytes()).decode()
            content.append(
                {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{data}"}}
            )
        messages.append({"role": head["role"], "content": content})
    return Prompt(purpose, messages)
