-- Users can be deactivated (a leaver): sessions end, tokens they made are revoked, sign-in refused.
ALTER TABLE users ADD COLUMN deactivated_at BIGINT;
