-- First response to a POST carrying an Idempotency-Key, per caller (scope = hash of Authorization).
CREATE TABLE idempotency_keys (
  scope NVARCHAR(64) NOT NULL,
  idempotency_key NVARCHAR(200) NOT NULL,
  request_hash NVARCHAR(64) NOT NULL,
  status INT NOT NULL,
  body NVARCHAR(MAX) NOT NULL,
  created_at DATETIMEOFFSET(3) NOT NULL DEFAULT SYSDATETIMEOFFSET(),
  PRIMARY KEY (scope, idempotency_key)
);
