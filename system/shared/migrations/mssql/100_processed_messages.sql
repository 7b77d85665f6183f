-- Worker idempotency (DESIGN §2.2): a consumed message id is recorded in the same transaction as
-- its effect. `stage` = 'effect_committed' once `updates` was incremented and the event notification
-- appended to the outbox; 'done' once the cache step ran (or was skipped) and `student.cached` was
-- appended. A redelivery at 'effect_committed' resumes from the cache step; at 'done' it is a duplicate.
CREATE TABLE processed_messages (
  message_id NVARCHAR(100) NOT NULL PRIMARY KEY,
  message_type NVARCHAR(50) NOT NULL,
  stage NVARCHAR(20) NOT NULL CHECK (stage IN ('effect_committed', 'done')),
  received_at DATETIMEOFFSET(3) NOT NULL DEFAULT SYSDATETIMEOFFSET(),
  completed_at DATETIMEOFFSET(3) NULL
);
