"""``chatsight-bot doctor``: the configuration checked against the services it names, each
problem named with its fix, so an operator finds out before members do.

Every check asks the real service (Discord's REST API, Chatsight, the deployment's public URL,
the database, the disk) as the running bot would; nothing is inferred from the settings alone.
"""

from __future__ import annotations

from bot.app.doctor.findings import Finding, report
from bot.app.doctor.run import run_doctor

__all__ = ["Finding", "report", "run_doctor"]
