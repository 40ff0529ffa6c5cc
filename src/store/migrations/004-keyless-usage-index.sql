-- Most requests on a loopback router carry no client key: the per-key index now skips those rows
-- (one B-tree insert less per request). `api_key_id = ?` implies `IS NOT NULL`, so per-key windows still use it;
-- keyless rows are found through usage_events_at.
DROP INDEX usage_events_key_at;
CREATE INDEX usage_events_key_at ON usage_events (api_key_id, at) WHERE api_key_id IS NOT NULL;
