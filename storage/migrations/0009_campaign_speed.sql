-- A campaign's own send speed, in messages per minute; NULL sends at the
-- default speed (delivery.campaign-speed, where 0 is no limit). Dispatchers
-- read it with every claimed row and ask the campaign's limiter key before
-- sending.
ALTER TABLE campaigns
  ADD COLUMN send_speed_per_minute integer NULL
    CHECK (send_speed_per_minute BETWEEN 1 AND 1000000);
