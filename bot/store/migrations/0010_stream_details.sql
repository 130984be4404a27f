-- What a result shows of the stream (bot/domain/stream_details.py): the streamer, the title and
-- a picture, from the announcement when the session starts and from the platform's page once it
-- is resolved. Empty for every earlier session, which renders as before.
ALTER TABLE sessions ADD COLUMN streamer TEXT;
ALTER TABLE sessions ADD COLUMN stream_title TEXT;
ALTER TABLE sessions ADD COLUMN stream_thumbnail TEXT;
