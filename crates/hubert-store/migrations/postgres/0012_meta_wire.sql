-- Facebook and Instagram wired in (issue 8).
-- Platform changes to a stored message (a comment edited, hidden, unhidden, removed; a DM
-- unsent): platform_state is NULL, 'hidden', 'removed' or 'unsent'; changed_at is the
-- platform's time of the last change applied (older changes arriving late are skipped);
-- edited_at is when the author last edited it.
ALTER TABLE messages ADD COLUMN platform_state TEXT;
ALTER TABLE messages ADD COLUMN changed_at BIGINT;
ALTER TABLE messages ADD COLUMN edited_at BIGINT;
-- A platform said the profile's token expired or was revoked (Meta code 190): the profile
-- shows "opnieuw verbinden" until an admin gives it new credentials.
ALTER TABLE profiles ADD COLUMN needs_reconnect BIGINT NOT NULL DEFAULT 0;
-- The shared Meta webhook endpoint of a workspace, /webhooks/meta/{key}: the key is looked
-- up by its SHA-256 and kept sealed (the keyring's AEAD) so admins can see it again.
CREATE TABLE meta_endpoints (
    workspace_id TEXT PRIMARY KEY,
    key_hash TEXT NOT NULL UNIQUE,
    key_sealed TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
