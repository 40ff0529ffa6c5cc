-- How a combo picks its first model: 'order' (always the first, the rest as fallbacks) or 'round-robin'
-- (each new conversation starts at the next model; a conversation keeps the model that served it).
ALTER TABLE combos ADD COLUMN strategy TEXT NOT NULL DEFAULT 'order';
