-- Results posted together as one Discord message (bot/store/interface/, OutboxStore): a pack is
-- recorded with its rows before its first send, so a resend after a crash is the same message
-- with the same nonce, and it is leased, retried and settled as one. A packed row is no longer
-- claimed on its own: its pack is. Partial index as in migration 0003: only pending packs are due.
CREATE TABLE delivery_packs (
    id INTEGER PRIMARY KEY,
    channel_id BIGINT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until BIGINT NOT NULL DEFAULT 0,
    message_id BIGINT,
    delivered_at BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX delivery_packs_pending ON delivery_packs (next_attempt_at) WHERE state = 'pending';

ALTER TABLE deliveries ADD COLUMN pack_id BIGINT REFERENCES delivery_packs (id);
CREATE INDEX deliveries_by_pack ON deliveries (pack_id) WHERE pack_id IS NOT NULL;
