-- What a server's admins were last told is broken in its configuration, and where that
-- configuration was last changed (bot/store/interface/upkeep.py, ConfigNoticeStore); the
-- follows waiting for a free slot under the server's cap (SlotWaitStore), and a server's
-- follows, which end together when the bot leaves it.
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
