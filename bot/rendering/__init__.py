"""Every message and embed the bot shows, built in one place within Discord's limits.

Owns wording: results, alerts, server settings, refusals, the CLI's text. Nothing here sends.

May import: ``bot.domain``, ``bot.errors``, ``bot.language``, discord.py (its ``Embed`` and ``ui``
values).
"""
