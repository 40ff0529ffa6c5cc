-- modelmux schema v1. Secrets (api keys, OAuth tokens) are stored encrypted (AES-256-GCM) in *_enc columns.
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE connections (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  provider TEXT NOT NULL,
  prefix TEXT,
  base_url TEXT,
  secret_enc TEXT,
  models TEXT NOT NULL DEFAULT '[]',
  priority INTEGER NOT NULL DEFAULT 100,
  enabled INTEGER NOT NULL DEFAULT 1,
  options TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE combos (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  models TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE aliases (
  name TEXT PRIMARY KEY,
  target TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  key_hash TEXT NOT NULL UNIQUE,
  key_hint TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER
);

CREATE TABLE usage_events (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  inbound_format TEXT NOT NULL,
  requested_model TEXT,
  model TEXT,
  provider TEXT,
  connection_id INTEGER,
  api_key_id INTEGER,
  status INTEGER NOT NULL,
  stream INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 1,
  input_tokens INTEGER,
  output_tokens INTEGER,
  cache_read_tokens INTEGER,
  cache_write_tokens INTEGER,
  reasoning_tokens INTEGER,
  latency_ms INTEGER,
  ttfb_ms INTEGER,
  error TEXT
);
CREATE INDEX usage_events_at ON usage_events (at);
