"""Wiring: the discord.py bot, the CLI, and the tree's one error policy.

Owns the process: builds the store, the Chatsight client, the services, the receiver and the
delivery worker once (``setup_hook``), hands them to the cogs, and stops them in order. The only
package that knows every other one.

May import: every ``bot`` package, discord.py, aiohttp; ``standins.chatsight`` only inside the
``mock-api`` command. Never ``cogs`` (they are loaded as extensions by name).
"""
