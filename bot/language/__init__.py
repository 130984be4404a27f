"""The bot's words in eight languages: one catalogue file per language and the choice among them.

Owns which language a Discord locale reads in and the text behind every catalogue key. Tags are
never translated: they stay as Chatsight sends them.

May import: nothing from ``bot`` (every layer that words things may import this one).
"""
