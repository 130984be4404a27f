-- The undocumented-tag radar (bot/store/interface/radar.py): each tag a server's stream was
-- heard with that Chatsight's published list lacks, once per session, so a delivery retried
-- counts it once; a tag's count is its sessions.
CREATE TABLE radar_sightings (
    guild_id INTEGER NOT NULL,
    tag_key TEXT NOT NULL,
    tag TEXT NOT NULL,
    convo_id TEXT NOT NULL,
    heard_at INTEGER NOT NULL,
    PRIMARY KEY (guild_id, tag_key, convo_id)
);
