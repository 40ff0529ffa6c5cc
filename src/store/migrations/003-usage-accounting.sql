-- Accounting (issue 7): estimated counts, the combo asked for and the cost of each request; hourly
-- rollups kept forever (raw events are pruned after a retention period); pricing overrides; request logs.
ALTER TABLE usage_events ADD COLUMN combo TEXT;
ALTER TABLE usage_events ADD COLUMN estimated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE usage_events ADD COLUMN list_cost REAL;
ALTER TABLE usage_events ADD COLUMN actual_cost REAL;
CREATE INDEX usage_events_connection_at ON usage_events (connection_id, at);
CREATE INDEX usage_events_provider_at ON usage_events (provider, at);
CREATE INDEX usage_events_key_at ON usage_events (api_key_id, at);
CREATE INDEX usage_events_request ON usage_events (request_id);

-- One row per UTC hour × provider × connection × model × client key. Absent dimensions are '' / 0
-- (not NULL) so the primary key can be upserted.
CREATE TABLE usage_hourly (
  hour INTEGER NOT NULL,
  provider TEXT NOT NULL DEFAULT '',
  connection_id INTEGER NOT NULL DEFAULT 0,
  model TEXT NOT NULL DEFAULT '',
  api_key_id INTEGER NOT NULL DEFAULT 0,
  requests INTEGER NOT NULL DEFAULT 0,
  errors INTEGER NOT NULL DEFAULT 0,
  estimated INTEGER NOT NULL DEFAULT 0,
  unpriced INTEGER NOT NULL DEFAULT 0,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens INTEGER NOT NULL DEFAULT 0,
  cache_write_tokens INTEGER NOT NULL DEFAULT 0,
  reasoning_tokens INTEGER NOT NULL DEFAULT 0,
  list_cost REAL NOT NULL DEFAULT 0,
  actual_cost REAL NOT NULL DEFAULT 0,
  latency_ms INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (hour, provider, connection_id, model, api_key_id)
) WITHOUT ROWID;
CREATE INDEX usage_hourly_connection ON usage_hourly (connection_id, hour);
CREATE INDEX usage_hourly_provider ON usage_hourly (provider, hour);
CREATE INDEX usage_hourly_key ON usage_hourly (api_key_id, hour);

INSERT INTO usage_hourly (hour, provider, connection_id, model, api_key_id, requests, errors, input_tokens, output_tokens,
  cache_read_tokens, cache_write_tokens, reasoning_tokens, latency_ms)
SELECT (at / 3600000) * 3600000, COALESCE(provider, ''), COALESCE(connection_id, 0), COALESCE(model, ''), COALESCE(api_key_id, 0),
  COUNT(*), SUM(status >= 400), COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0), COALESCE(SUM(cache_read_tokens), 0),
  COALESCE(SUM(cache_write_tokens), 0), COALESCE(SUM(reasoning_tokens), 0), COALESCE(SUM(latency_ms), 0)
FROM usage_events GROUP BY 1, 2, 3, 4, 5;

-- User prices per 1M tokens; model '*' covers every model of the provider.
CREATE TABLE pricing_overrides (
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  input REAL NOT NULL,
  output REAL NOT NULL,
  cache_read REAL,
  cache_write REAL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (provider, model)
);

-- Full bodies of one side of an exchange (client ↔ modelmux, or modelmux ↔ upstream), redacted and capped.
CREATE TABLE request_logs (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  side TEXT NOT NULL,
  attempt INTEGER,
  method TEXT,
  url TEXT,
  status INTEGER,
  request_headers TEXT,
  request_body TEXT,
  response_headers TEXT,
  response_body TEXT,
  truncated INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX request_logs_at ON request_logs (at);
CREATE INDEX request_logs_request ON request_logs (request_id);
