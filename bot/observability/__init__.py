"""What an operator sees of a running process: Prometheus metrics and their exporter.

Owns every metric's definition (``metrics.py``, one place, so names, help texts and label sets
stay consistent and bounded) and the ``/metrics`` listener (``exporter.py``). The layers record
into it; it reads nothing of theirs, so any layer may import it.

May import: ``bot.domain``, ``bot.errors``, prometheus-client, aiohttp (the exporter's server).
"""
