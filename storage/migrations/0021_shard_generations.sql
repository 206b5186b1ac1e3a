-- Generations of customer shard columns (actors/segments/): every load of
-- a shard takes the next value, so a segment actor tells a newer load from
-- an older one whichever node made them. A counter per process would
-- misorder the loads of two nodes once a shard moves between them.
CREATE SEQUENCE shard_generations;
