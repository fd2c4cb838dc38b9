-- Genealogy: every sample's unit, lot, place, operator, equipment and time.
-- (source, stream_seq, item) identifies a sample in its JetStream stream, so a redelivered
-- message inserts nothing twice.
CREATE TABLE samples (
  source     text             NOT NULL,
  stream_seq bigint           NOT NULL,
  item       integer          NOT NULL,
  ts         timestamptz      NOT NULL,
  unit       text             NOT NULL,
  lot        text,
  line       text             NOT NULL,
  station    text             NOT NULL,
  parameter  text             NOT NULL,
  value      double precision NOT NULL,
  operator   text,
  equipment  text,
  PRIMARY KEY (source, stream_seq, item)
);
-- A unit's full history, in time order.
CREATE INDEX samples_unit_ts ON samples (unit, ts);
-- All units of a lot, and where each was seen last.
CREATE INDEX samples_lot_unit_ts ON samples (lot, unit, ts DESC) WHERE lot IS NOT NULL;
-- Units through a station in a time window.
CREATE INDEX samples_station_ts ON samples (station, ts);
