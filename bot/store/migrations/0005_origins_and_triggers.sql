-- A follow keeps the source and the trigger its samples' convoIds derive from (Discord
-- snowflakes, never a row id: bot/domain/convo_ids.py); its samples take its source. A dedupe
-- claim counts its rounds, so a re-tag after the window derives a convoId of its own.
ALTER TABLE follows ADD COLUMN source TEXT NOT NULL DEFAULT 'slash';
ALTER TABLE follows ADD COLUMN trigger_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE follows ADD COLUMN trigger_position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE follows ADD COLUMN trigger_round INTEGER NOT NULL DEFAULT 0;
-- Follows from before recorded no trigger: their origin message stands in, and the row id (unique
-- in this database) as the position keeps their later samples apart.
UPDATE follows SET
    trigger_id = COALESCE(origin_message_id, 0),
    trigger_position = id,
    source = COALESCE(
        (SELECT s.source FROM sessions s WHERE s.follow_id = follows.id AND s.source <> 'follow'
         ORDER BY s.created_at LIMIT 1),
        'slash'
    );
UPDATE sessions SET source = (SELECT f.source FROM follows f WHERE f.id = sessions.follow_id)
    WHERE source = 'follow';
ALTER TABLE autotag_claims ADD COLUMN rounds INTEGER NOT NULL DEFAULT 1;
