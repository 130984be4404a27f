-- What a result shows of the stream, as SQLite's migration 0010 keeps it
-- (bot/domain/stream_details.py): the streamer, the title and a picture.
ALTER TABLE sessions ADD COLUMN streamer TEXT;
ALTER TABLE sessions ADD COLUMN stream_title TEXT;
ALTER TABLE sessions ADD COLUMN stream_thumbnail TEXT;
