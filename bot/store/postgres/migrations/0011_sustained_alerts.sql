-- Sustained-signal alerts (bot/domain/alert_policy.py): one alert per follow, a single re-ping
-- due at reping_at (cleared once sent or no longer wanted) leased by one process at a time, and
-- each server's window (hits of the last samples) and re-ping delay.
ALTER TABLE alerts ADD COLUMN follow_id BIGINT;
ALTER TABLE alerts ADD COLUMN reping_at BIGINT;
ALTER TABLE alerts ADD COLUMN reping_lease_until BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX alerts_one_per_follow ON alerts (follow_id) WHERE follow_id IS NOT NULL;
CREATE INDEX alerts_reping_due ON alerts (reping_at) WHERE reping_at IS NOT NULL;

ALTER TABLE guild_settings ADD COLUMN alert_hits INTEGER NOT NULL DEFAULT 2;
ALTER TABLE guild_settings ADD COLUMN alert_samples INTEGER NOT NULL DEFAULT 3;
ALTER TABLE guild_settings ADD COLUMN alert_reping_minutes INTEGER NOT NULL DEFAULT 10;

-- Announced versus heard (bot/domain/announced.py): the category an announcement named, and
-- each server's categories with the tags it expects of them, one "category=tags" a line.
ALTER TABLE sessions ADD COLUMN stream_category TEXT;
ALTER TABLE guild_settings ADD COLUMN announced_tags TEXT NOT NULL DEFAULT '';
