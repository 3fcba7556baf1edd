-- The team's spelling allow-list: brand and product names the dictionary does not know.
-- Words are stored as typed (the first spelling added wins); the spelling check and the
-- use cases compare them case-insensitively, in Rust, so both backends behave the same.
-- Identical on SQLite and PostgreSQL.
CREATE TABLE allowed_words (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    word TEXT NOT NULL,
    added_by TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, word)
);
