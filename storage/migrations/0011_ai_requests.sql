-- Every call of an AI route (issue 19): who asked what, which engine and
-- model answered, how long it took, the provider's token counts, the
-- outcome and whether the answer came from the cache. Read by
-- GET /api/ai/requests (admin), newest first.
CREATE TABLE ai_requests (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account     text NOT NULL,       -- the caller's limiter key: account:<id>, apikey:<prefix>, ip:<address>
    route       text NOT NULL,       -- "segments/build", "chat", ...
    prompt      text NOT NULL,
    engine      text NOT NULL,       -- "offline" or the provider's model
    model       text,                -- the provider model asked, if any
    latency_ms  double precision NOT NULL CHECK (latency_ms >= 0),
    tokens_in   integer NOT NULL DEFAULT 0 CHECK (tokens_in >= 0),
    tokens_out  integer NOT NULL DEFAULT 0 CHECK (tokens_out >= 0),
    outcome     text NOT NULL,       -- ok, refused, invalid, not_found, error
    cache_hit   boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now()
);
