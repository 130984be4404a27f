"""``python -m standins.chatsight``: the same flags as ``chatsight-bot mock-api``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from standins.chatsight.runner import run_simulator


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``chatsight-bot mock-api`` hands its arguments to ``main``, so both take the same flags."""
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--tags", help="comma-separated tags every session returns")
    parser.add_argument("--delay", type=float, default=1.0, help="seconds until a session ends")
    parser.add_argument("--secret", help="the webhook shared secret to sign with")
    parser.add_argument("--api-key", default="sim-api-key")


def run_from_arguments(args: argparse.Namespace) -> None:
    tags = [t.strip() for t in args.tags.split(",") if t.strip()] if args.tags else None
    run_simulator(
        host=args.host,
        port=args.port,
        tags=tags,
        delay=args.delay,
        secret=args.secret,
        api_key=args.api_key,
    )


def main(argv: Sequence[str] | None = None, prog: str = "python -m standins.chatsight") -> None:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__)
    add_arguments(parser)
    run_from_arguments(parser.parse_args(argv))


if __name__ == "__main__":
    main()
