-- What the retention sweeper deletes (system/shared/retention.ts): published outbox rows and old
-- idempotency keys, oldest first, in small batches.
CREATE INDEX outbox_published_idx ON outbox (producer, published_at) WHERE published_at IS NOT NULL;
GO
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
