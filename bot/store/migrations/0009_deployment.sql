-- This deployment's id (bot/store/interface/coordination.py, DeploymentStore): every process
-- sharing the database answers /healthz with it, so `chatsight-bot doctor` can tell that
-- PUBLIC_BASE_URL reaches this deployment and not another one (a staging copy, an old host).
CREATE TABLE deployment (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    id TEXT NOT NULL
);
