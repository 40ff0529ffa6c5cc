-- Daily sums of usage_hourly, kept by the same transaction that writes the raw rows and the hours. The Usage
-- page's 7- and 30-day views read a row per day and key here instead of one per hour: over a million requests a
-- 30-day refresh (every 5 s while the page is open) went through about 50,000 hourly rows per aggregate.
CREATE TABLE usage_daily (
  day INTEGER NOT NULL,
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
  PRIMARY KEY (day, provider, connection_id, model, api_key_id)
) WITHOUT ROWID;

-- Days are UTC days, like the hours.
INSERT INTO usage_daily
SELECT (hour / 86400000) * 86400000, provider, connection_id, model, api_key_id, SUM(requests), SUM(errors), SUM(estimated),
  SUM(unpriced), SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(reasoning_tokens),
  SUM(list_cost), SUM(actual_cost), SUM(latency_ms)
FROM usage_hourly GROUP BY 1, 2, 3, 4, 5;
