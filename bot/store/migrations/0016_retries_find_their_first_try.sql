-- A retry whose first try committed unseen (its connection lost after COMMIT) finds what that
-- try stored instead of storing it again (bot/server/autotag.py, bot/server/following.py): a
-- claim names the message or interaction holding it, and one trigger has one follow. A second
-- follow of one trigger, which only that loss could make, would sample under the first one's
-- convoIds: it keeps its samples, and its round moves out of the way (no trigger's is below 0).
ALTER TABLE autotag_claims ADD COLUMN claimed_by BIGINT;
UPDATE follows SET trigger_round = -id WHERE id NOT IN (
    SELECT MIN(id) FROM follows GROUP BY channel_id, trigger_id, trigger_position, trigger_round
);
CREATE UNIQUE INDEX follows_one_per_trigger
    ON follows (channel_id, trigger_id, trigger_position, trigger_round);
