-- The inbox lists a status ordered by "waiting first, longest wait on top, then most
-- recent" (Store::conversations). Index exactly that order, so the first page is read
-- from the index instead of sorting every conversation of that status (measured with
-- `hubert bench inbox` on 1M conversations: see docs/benchmarks.md). Indexes only; kept
-- identical to ../sqlite/0002_inbox_order_index.sql.
DROP INDEX conversations_inbox;
CREATE INDEX conversations_inbox ON conversations (workspace_id, status, (CASE WHEN waiting_since IS NULL THEN 1 ELSE 0 END), waiting_since, last_message_at DESC);
