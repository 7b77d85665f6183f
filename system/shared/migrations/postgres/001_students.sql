-- Students (DESIGN §2.1). `updates` is only ever changed by `updates = updates + 1` in SQL.
create table students (
  id uuid primary key,
  first_name varchar(100) not null,
  last_name varchar(100) not null,
  email varchar(254) not null,
  updates integer not null default 0,
  created timestamptz not null default now(),
  created_by varchar(200) not null,
  last_modified timestamptz not null default now(),
  last_modified_by varchar(200) not null
);
