-- Hubert schema, PostgreSQL flavour. Kept in lock-step with ../sqlite/0001_initial.sql:
-- same tables, same columns, same order. Timestamps are BIGINT epoch milliseconds, ids
-- are UUIDv7 text, JSON is TEXT, flags are BIGINT 0/1.
CREATE TABLE workspaces (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (workspace_id, email)
);
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
CREATE TABLE profiles (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    platform TEXT NOT NULL,
    name TEXT NOT NULL,
    account_id TEXT NOT NULL,
    credentials TEXT NOT NULL,
    threshold_minutes BIGINT NOT NULL,
    target_percent DOUBLE PRECISION NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (workspace_id, platform, account_id)
);
CREATE TABLE templates (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    profile_id TEXT NOT NULL REFERENCES profiles(id),
    name TEXT NOT NULL,
    language TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (workspace_id, profile_id, name, language)
);
CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    profile_id TEXT NOT NULL REFERENCES profiles(id),
    platform_user_id TEXT NOT NULL,
    name TEXT,
    handle TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (workspace_id, profile_id, platform_user_id)
);
CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    profile_id TEXT NOT NULL REFERENCES profiles(id),
    contact_id TEXT NOT NULL REFERENCES contacts(id),
    status TEXT NOT NULL,
    assignee_id TEXT,
    waiting_since BIGINT,
    last_customer_message_at BIGINT,
    last_message_at BIGINT NOT NULL,
    last_snippet TEXT NOT NULL,
    last_answer_ms BIGINT,
    reply_context TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- At most one unresolved conversation per contact: threading and dedupe rely on it.
CREATE UNIQUE INDEX conversations_active ON conversations (workspace_id, profile_id, contact_id) WHERE status <> 'resolved';
CREATE INDEX conversations_inbox ON conversations (workspace_id, status, last_message_at);
CREATE INDEX conversations_contact ON conversations (workspace_id, contact_id);
CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    profile_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    direction TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT,
    summary TEXT NOT NULL,
    metadata TEXT NOT NULL,
    platform_message_id TEXT,
    author_id TEXT,
    created_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    reply_context TEXT NOT NULL,
    delivery_status TEXT,
    delivery_rank BIGINT NOT NULL,
    delivery_error TEXT,
    answered_at BIGINT,
    response_ms BIGINT,
    no_reply_needed BIGINT NOT NULL,
    UNIQUE (workspace_id, profile_id, platform_message_id)
);
CREATE INDEX messages_conversation ON messages (conversation_id, created_at);
CREATE INDEX messages_report ON messages (workspace_id, profile_id, direction, created_at);
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    message_id TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    run_at BIGINT NOT NULL,
    lease_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (state, run_at);
CREATE TABLE quarantine (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    profile_id TEXT,
    platform TEXT NOT NULL,
    reason TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    at BIGINT NOT NULL
);
