-- Finished message ids the retention sweeper deletes once older than the redelivery window.
create index processed_messages_completed_idx on processed_messages (completed_at) where stage = 'done';
