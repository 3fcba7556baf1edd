-- Users can be deactivated (a leaver): sessions end, tokens they made are revoked, sign-in refused.
ALTER TABLE users ADD COLUMN deactivated_at BIGINT;
-- One-time password-reset links: the SHA-256 of the link's token, valid until expires_at,
-- used once.
CREATE TABLE password_resets (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
