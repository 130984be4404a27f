-- Results posted together as one Discord message, as SQLite's migration 0008 keeps them
-- (bot/store/interface/, OutboxStore): recorded with their rows before the first send, then
-- leased, retried and settled as one.
CREATE TABLE delivery_packs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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

-- The next free slot of the bot's Discord request budget, which every process spends from
-- (bot/store/interface/, RequestBudgetStore): one row per budget. SQLite serves one process,
-- which keeps its schedule in memory instead.
CREATE TABLE request_slots (
    budget TEXT PRIMARY KEY,
    next_at BIGINT NOT NULL
);
