-- Students (DESIGN §2.1). `updates` is only ever changed by `updates = updates + 1` in SQL.
CREATE TABLE students (
  id UNIQUEIDENTIFIER NOT NULL PRIMARY KEY,
  first_name NVARCHAR(100) NOT NULL,
  last_name NVARCHAR(100) NOT NULL,
  email NVARCHAR(254) NOT NULL,
  updates INT NOT NULL DEFAULT 0,
  created DATETIMEOFFSET(3) NOT NULL DEFAULT SYSDATETIMEOFFSET(),
  created_by NVARCHAR(200) NOT NULL,
  last_modified DATETIMEOFFSET(3) NOT NULL DEFAULT SYSDATETIMEOFFSET(),
  last_modified_by NVARCHAR(200) NOT NULL
);
