-- Wallboards (kiosk screens reached by an unguessable token, stored hashed), messages
-- agents starred as compliments (the wall of love) and the team lead's banner.
-- Identical on SQLite and PostgreSQL.
CREATE TABLE wallboards (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    profile_ids TEXT NOT NULL,
    privacy BIGINT NOT NULL,
    rotate_seconds BIGINT,
    layouts TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE TABLE compliments (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    message_id TEXT NOT NULL REFERENCES messages(id),
    starred_by TEXT NOT NULL,
    starred_at BIGINT NOT NULL,
    UNIQUE (workspace_id, message_id)
);
CREATE TABLE banners (
    workspace_id TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at BIGINT NOT NULL,
    expires_at BIGINT
);
CREATE INDEX messages_feed ON messages (workspace_id, direction, created_at);
CREATE INDEX conversations_waiting ON conversations (workspace_id, waiting_since);
