"""Files registered with an Agent for runs to upload (``file_ids`` in the request).

``Agent.upload_file(path)`` copies the file to ``data_dir/files/<file_id>/<name>`` and
returns its ``file_...`` id. A run that lists the id in ``file_ids`` may upload it with
UPLOAD_FILE (the model names it by file name); other runs may not. Because the copy
lives in the data dir, another process with the same ``data_dir`` finds it too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from agent.records.errors import InvalidRequestError
from agent.records.runs import new_id


class FileRegistry:
    """Uploaded files under one data dir."""

    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / "files"

    def add(self, path: str | Path) -> str:
        """Copy ``path`` in and return its new ``file_...`` id."""
        source = Path(path).expanduser().resolve()
        if not source.is_file():
            raise InvalidRequestError("path", f"{str(path)!r} is not a file")
        file_id = new_id("file")
        folder = self.root / file_id
        folder.mkdir(parents=True)
        shutil.copyfile(source, folder / source.name)
        return file_id

    def paths(self, file_ids: list[str] | None) -> list[Path]:
        """The files of ``file_ids``; raises naming the first unknown id."""
        found = []
        for file_id in file_ids or []:
            folder = self.root / file_id
            files = sorted(folder.iterdir()) if folder.is_dir() else []
            if not files:
                raise InvalidRequestError(
                    "file_ids",
                    f"unknown file id {file_id!r}: register the file first with "
                    "Agent.upload_file(path), which returns its id",
                )
            found.append(files[0])
        return found
