-- This deployment's id, as SQLite's migration 0009 keeps it (bot/store/interface/coordination.py,
-- DeploymentStore): every process sharing the database answers /healthz with it.
CREATE TABLE deployment (
    singleton SMALLINT PRIMARY KEY CHECK (singleton = 1),
    id TEXT NOT NULL
);
