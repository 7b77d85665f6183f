-- Finished message ids the retention sweeper deletes once older than the redelivery window.
CREATE INDEX processed_messages_completed_idx ON processed_messages (completed_at) WHERE stage = 'done';
