-- What the retention sweeper deletes (system/shared/retention.ts): published outbox rows and old
-- idempotency keys, oldest first, in small batches.
create index outbox_published_idx on outbox (producer, published_at) where published_at is not null;
create index idempotency_keys_created_idx on idempotency_keys (created_at);
