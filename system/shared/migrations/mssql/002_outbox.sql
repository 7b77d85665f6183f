-- Transactional outbox shared by every producer ('api', 'worker'); relayed in id order per producer.
CREATE TABLE outbox (
  id BIGINT IDENTITY(1,1) NOT NULL PRIMARY KEY,
  producer NVARCHAR(50) NOT NULL,
  exchange NVARCHAR(200) NOT NULL,
  routing_key NVARCHAR(200) NOT NULL,
  message_id NVARCHAR(100) NOT NULL,
  envelope NVARCHAR(MAX) NOT NULL,
  created_at DATETIMEOFFSET(3) NOT NULL DEFAULT SYSDATETIMEOFFSET(),
  published_at DATETIMEOFFSET(3) NULL
);
GO
CREATE INDEX outbox_pending_idx ON outbox (producer, id) WHERE published_at IS NULL;
