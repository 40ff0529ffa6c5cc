-- The hours in which each requested or served model name appears. The Logs page's model filter is a substring
-- match that no index serves: a name that matched few requests, or none, scanned every stored request (about
-- 190 ms per million). The filter now reads only the hours where a matching name appears, newest first.
CREATE TABLE usage_model_hours (
  model TEXT NOT NULL,
  hour INTEGER NOT NULL,
  PRIMARY KEY (model, hour)
) WITHOUT ROWID;

INSERT OR IGNORE INTO usage_model_hours (model, hour)
SELECT model, (at / 3600000) * 3600000 FROM usage_events WHERE model IS NOT NULL
UNION
SELECT requested_model, (at / 3600000) * 3600000 FROM usage_events WHERE requested_model IS NOT NULL;
