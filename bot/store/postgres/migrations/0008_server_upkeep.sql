-- Configuration notices, follows waiting for a slot and a server's follows, as SQLite's
-- migration 0012 keeps them (bot/store/interface/upkeep.py).
CREATE TABLE config_notices (
    guild_id BIGINT PRIMARY KEY,
    config_channel_id BIGINT,
    notified TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL
);

CREATE TABLE slot_waits (
    follow_id BIGINT PRIMARY KEY,
    guild_id BIGINT NOT NULL,
    since BIGINT NOT NULL
);
CREATE INDEX slot_waits_guild ON slot_waits (guild_id);

CREATE INDEX follows_guild ON follows (guild_id, state);
