-- The undocumented-tag radar, as SQLite's migration 0014 keeps it (bot/store/interface/radar.py).
CREATE TABLE radar_sightings (
    guild_id BIGINT NOT NULL,
    tag_key TEXT NOT NULL,
    tag TEXT NOT NULL,
    convo_id TEXT NOT NULL,
    heard_at BIGINT NOT NULL,
    PRIMARY KEY (guild_id, tag_key, convo_id)
);
