"""Files sent with a message, as Discord takes them (docs/discord-notes.md, Attachments).

A message with files is multipart/form-data: ``payload_json`` holds the message, whose
``attachments`` list names each file by the index ``n`` of its ``files[n]`` part. The message's
``attachments`` then hold an id, the file's name, size and content type (an image's width and
height too) and a ``url``, where the emulator serves the bytes as Discord's CDN does.
"""

from __future__ import annotations

import json
import mimetypes
import re
import struct
from dataclasses import dataclass

from aiohttp import web

from . import errors
from .http_util import read_json
from .model import JSON, SnowflakeFactory

_FILE_PART = re.compile(r"files\[(\d+)\]")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class StoredFile:
    content_type: str
    data: bytes


# Every attachment's bytes, by attachment id, for the app's lifetime.
FILES_KEY = web.AppKey("files", dict)


async def read_message_form(request: web.Request) -> tuple[JSON, dict[int, tuple[str, bytes]]]:
    """The message's JSON and its uploaded files by index (``files[n]``: name and bytes)."""
    if not request.content_type.startswith("multipart/"):
        return await read_json(request), {}
    payload: JSON = {}
    uploads: dict[int, tuple[str, bytes]] = {}
    async for part in await request.multipart():
        name = getattr(part, "name", None) or ""
        if name == "payload_json":
            payload = json.loads(await part.text())  # type: ignore[union-attr]
        elif (match := _FILE_PART.fullmatch(name)) is not None:
            filename = getattr(part, "filename", None) or f"file{match[1]}"
            uploads[int(match[1])] = (filename, bytes(await part.read()))  # type: ignore[union-attr]
    if not isinstance(payload, dict):
        raise errors.DiscordError(400, 50109, "The request body contains invalid JSON.")
    return payload, uploads


def store_attachments(
    request: web.Request,
    payload: JSON,
    uploads: dict[int, tuple[str, bytes]],
    *,
    ids: SnowflakeFactory,
    channel_id: int,
    size_limit: int,
) -> list[JSON]:
    """The message's ``attachments``: each one the payload names, or each file uploaded when it
    names none; its bytes kept for its ``url``. A named file that was not uploaded is a form
    error; files over the size limit together are 413, as Discord answers."""
    if sum(len(data) for _, data in uploads.values()) > size_limit:
        raise errors.DiscordError(413, 40005, "Request entity too large")
    named = payload.get("attachments") or [{"id": n} for n in sorted(uploads)]
    files: dict[int, StoredFile] = request.app[FILES_KEY]
    base = str(request.url.origin())
    result = []
    for position, item in enumerate(named):
        index = int(item.get("id", -1))
        if index not in uploads:
            raise errors.invalid_form(
                {
                    "attachments": {
                        str(position): errors.field_error(
                            "ATTACHMENT_NOT_FOUND", "Attachment data not found"
                        )
                    }
                }
            )
        uploaded_name, data = uploads[index]
        filename = str(item.get("filename") or uploaded_name)
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        attachment_id = ids.next()
        url = f"{base}/attachments/{channel_id}/{attachment_id}/{filename}"
        attachment: JSON = {
            "id": str(attachment_id),
            "filename": filename,
            "size": len(data),
            "url": url,
            "proxy_url": url,
            "content_type": content_type,
        }
        if item.get("description"):
            attachment["description"] = item["description"]
        attachment.update(_image_size(data))
        files[attachment_id] = StoredFile(content_type, data)
        result.append(attachment)
    return result


def _image_size(data: bytes) -> JSON:
    """A PNG's width and height from its IHDR chunk, as Discord reports an image's size."""
    if data.startswith(PNG_SIGNATURE) and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return {"width": width, "height": height}
    return {}


async def serve_attachment(request: web.Request) -> web.Response:
    stored = request.app[FILES_KEY].get(int(request.match_info["attachment_id"]))
    if stored is None:
        raise web.HTTPNotFound()
    return web.Response(body=stored.data, content_type=stored.content_type)


def add_routes(app: web.Application) -> None:
    app[FILES_KEY] = {}
    app.router.add_get(
        "/attachments/{channel_id}/{attachment_id:\\d+}/{filename}", serve_attachment
    )
