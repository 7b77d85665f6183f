-- First response to a POST carrying an Idempotency-Key, per caller (scope = hash of Authorization).
create table idempotency_keys (
  scope varchar(64) not null,
  idempotency_key varchar(200) not null,
  request_hash varchar(64) not null,
  status integer not null,
  body text not null,
  created_at timestamptz not null default now(),
  primary key (scope, idempotency_key)
);
