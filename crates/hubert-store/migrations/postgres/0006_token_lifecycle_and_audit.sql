-- API tokens get a lifecycle: an optional expiry, the last use (written at most once a
-- minute per token), revocation (the row stays for the audit trail) and who made it.
-- The audit log gets the client address and a short detail, and an index for the
-- newest-first listing; sessions an index for the sweep of expired ones.
-- Identical on SQLite and PostgreSQL.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN revoked_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN client TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN detail TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_log_workspace_at ON audit_log (workspace_id, at);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
-- One name per kind of event: past tense, like `key.rotated`.
UPDATE audit_log SET action = 'profile.created' WHERE action = 'profile.create';
