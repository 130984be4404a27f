"""The doctor's checks of everything but Discord: the Chatsight key, the public URL reaching this
deployment, the database and the disk it writes to."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.app.doctor.findings import Finding, failed, passed
from bot.chatsight.client import ChatsightClient
from bot.config import Settings
from bot.errors import ChatsightAuthError, ChatsightError, ChatsightUnknownSession, ConfigError
from bot.store import Store, open_store
from bot.store.base import StoreUnavailable

MIN_FREE_BYTES = 1 << 30  # below a GiB free, SQLite's WAL and the logs are a day from full
PROBE_TIMEOUT_S = 5.0


async def chatsight_key(settings: Settings, http: aiohttp.ClientSession) -> Finding:
    """A query for a session nobody started: an unknown session means the key was accepted."""
    if settings.chatsight_api_key is None:
        return failed("Chatsight key", "CHATSIGHT_API_KEY is not set", "set CHATSIGHT_API_KEY")
    client = ChatsightClient(
        http,
        base_url=settings.chatsight_api_base,
        api_key=settings.chatsight_api_key,
        timeout=PROBE_TIMEOUT_S,
        max_attempts=1,
    )
    try:
        await client.query_session(str(uuid.uuid4()))
    except ChatsightUnknownSession:
        return passed("Chatsight key", f"accepted by {settings.chatsight_api_base}")
    except ChatsightAuthError:
        return failed(
            "Chatsight key",
            f"refused by {settings.chatsight_api_base}",
            "set CHATSIGHT_API_KEY to the key of your Chatsight account",
        )
    except ChatsightError as error:
        return failed(
            "Chatsight key",
            f"could not be checked: {error.user_message}",
            "check CHATSIGHT_API_BASE and that this host reaches it",
        )
    return passed("Chatsight key", f"accepted by {settings.chatsight_api_base}")


async def database(settings: Settings) -> tuple[Finding, Store | None]:
    """Opened as a one-off command opens it (beside a running bot), which brings its schema up
    to date; the deployment's id is then written on first use, so a write is proven too."""
    store = open_store(settings, exclusive=False)
    try:
        await store.open()
        deployment = await store.deployment_id()
    except (StoreUnavailable, ConfigError, OSError) as error:
        await store.close()
        return failed(
            "database",
            f"not usable: {error}",
            "check DATABASE_URL, that the database runs and this user may write to it",
        ), None
    return passed("database", f"{settings.backend}: migrated and writable ({deployment})"), store


async def public_url(settings: Settings, http: aiohttp.ClientSession, deployment: str) -> Finding:
    """``PUBLIC_BASE_URL/healthz``, through whatever proxy is in front, must answer with this
    deployment's id. With no bot listening, the doctor answers ``/healthz`` itself meanwhile."""
    base = settings.public_base_url
    if base is None:
        return passed("public URL", "PUBLIC_BASE_URL is not set: results are polled, not pushed")
    try:
        answer = await _health(http, base)
    except (aiohttp.ClientError, TimeoutError):
        answer = await _health_while_serving(settings, http, base, deployment)
    if isinstance(answer, str):
        return failed(
            "public URL",
            f"{base}/healthz {answer}",
            "point PUBLIC_BASE_URL at the proxy that forwards /webhooks/chatsight/ and /healthz"
            f" to {settings.webhook_host}:{settings.webhook_port}",
        )
    if answer.get("instance") != deployment:
        return failed(
            "public URL",
            f"{base} reaches another deployment ({answer.get('instance') or 'no id'})",
            "point PUBLIC_BASE_URL (or the proxy behind it) at this deployment",
        )
    return passed("public URL", f"{base} reaches this deployment")


async def _health(http: aiohttp.ClientSession, base: str) -> dict[str, object] | str:
    """The JSON ``/healthz`` answered, or what went wrong, in words."""
    timeout = aiohttp.ClientTimeout(total=PROBE_TIMEOUT_S)
    async with http.get(f"{base}/healthz", timeout=timeout) as response:
        if response.status != 200:
            return f"answered HTTP {response.status}"
        try:
            body = await response.json(content_type=None)
        except ValueError:
            return "answered, but not as chatsight-bot does"
    return body if isinstance(body, dict) else "answered, but not as chatsight-bot does"


async def _health_while_serving(
    settings: Settings, http: aiohttp.ClientSession, base: str, deployment: str
) -> dict[str, object] | str:
    async def health(_request: web.Request) -> web.Response:
        return web.json_response({"receiver": "doctor", "store": "ok", "instance": deployment})

    app = web.Application()
    app.router.add_get("/healthz", health)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.webhook_host, settings.webhook_port).start()
    except OSError:
        await runner.cleanup()
        return "is unreachable, though something listens on WEBHOOK_PORT here"
    try:
        return await _health(http, base)
    except (aiohttp.ClientError, TimeoutError) as error:
        return f"is unreachable ({type(error).__name__})"
    finally:
        await runner.cleanup()


def disk(settings: Settings, min_free_bytes: int = MIN_FREE_BYTES) -> Finding:
    where = settings.sqlite_path.parent if settings.backend == "sqlite" else Path.cwd()
    while not where.exists():
        where = where.parent
    free = shutil.disk_usage(where).free
    if free < min_free_bytes:
        return failed(
            "disk",
            f"{free / 2**20:.0f} MiB free on {where}",
            f"free space there (at least {min_free_bytes / 2**30:g} GiB)",
        )
    return passed("disk", f"{free / 2**30:.1f} GiB free on {where}")
