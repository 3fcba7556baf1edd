-- A profile can be disconnected: webhooks and sends stop, its history stays.
ALTER TABLE profiles ADD COLUMN disconnected_at BIGINT;
