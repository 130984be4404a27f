"""``make demo``: the whole product, offline, against the local stand-ins on 127.0.0.1."""
