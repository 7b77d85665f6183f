-- Worker idempotency (DESIGN §2.2): a consumed message id is recorded in the same transaction as
-- its effect. `stage` = 'effect_committed' once `updates` was incremented and the event notification
-- appended to the outbox; 'done' once the cache step ran (or was skipped) and `student.cached` was
-- appended. A redelivery at 'effect_committed' resumes from the cache step; at 'done' it is a duplicate.
create table processed_messages (
  message_id varchar(100) primary key,
  message_type varchar(50) not null,
  stage varchar(20) not null check (stage in ('effect_committed', 'done')),
  received_at timestamptz not null default now(),
  completed_at timestamptz
);
