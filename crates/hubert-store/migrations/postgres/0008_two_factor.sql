-- Two-factor sign-in (TOTP). A workspace can require it of admins and leads.
ALTER TABLE workspaces ADD COLUMN two_factor_required BIGINT NOT NULL DEFAULT 0;
-- One authenticator per user. `secret` is sealed like profile credentials (decision 0003),
-- bound to user_id. Until enabled_at is set it is an enrolment not yet confirmed.
-- last_step: the last 30-second step whose code was accepted (a code works once).
CREATE TABLE two_factor (
    user_id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    enabled_at BIGINT,
    last_step BIGINT
);
-- Recovery codes: SHA-256 of each (80 random bits), each usable once.
CREATE TABLE recovery_codes (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX recovery_codes_by_user ON recovery_codes (user_id);
-- A password that was right, waiting for its second step (purpose 'verify' or 'enroll'):
-- SHA-256 of the token in the browser's cookie, a few minutes and a few attempts long.
CREATE TABLE login_challenges (
    id_hash TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    purpose TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0
);
