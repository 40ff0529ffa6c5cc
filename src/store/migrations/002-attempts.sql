-- One row per upstream try (including failed ones); usage_events keeps one row per client request.
CREATE TABLE attempts (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  connection_id INTEGER,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  status INTEGER NOT NULL,
  failure_class TEXT,
  reason TEXT,
  latency_ms INTEGER NOT NULL
);
CREATE INDEX attempts_request ON attempts (request_id);
CREATE INDEX attempts_at ON attempts (at);
