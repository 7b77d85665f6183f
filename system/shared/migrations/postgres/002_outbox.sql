-- Transactional outbox shared by every producer ('api', 'worker'); relayed in id order per producer.
create table outbox (
  id bigserial primary key,
  producer varchar(50) not null,
  exchange varchar(200) not null,
  routing_key varchar(200) not null,
  message_id varchar(100) not null,
  envelope json not null,
  created_at timestamptz not null default now(),
  published_at timestamptz
);
create index outbox_pending_idx on outbox (producer, id) where published_at is null;
