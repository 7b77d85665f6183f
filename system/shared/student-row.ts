import type { Student } from '../../contracts/envelope.ts';

/** A `students` row as both drivers (pg, mssql) return it, timestamps as Date; the API and worker share it. */
export interface StudentRow {
  id: string;
  first_name: string;
  last_name: string;
  email: string;
  updates: number;
  created: Date;
  created_by: string;
  last_modified: Date;
  last_modified_by: string;
}

/** The student JSON: the same shape the API serves and caches. */
export function toStudent(row: StudentRow): Student {
  return {
    id: row.id.toLowerCase(),
    firstName: row.first_name,
    lastName: row.last_name,
    email: row.email,
    fullName: `${row.first_name} ${row.last_name}`,
    updates: Number(row.updates),
    created: new Date(row.created).toISOString(),
    createdBy: row.created_by,
    lastModified: new Date(row.last_modified).toISOString(),
    lastModifiedBy: row.last_modified_by,
  };
}

/** The columns of {@link StudentRow}, in order, for SELECT and RETURNING/OUTPUT lists. */
export const studentColumns =
  'id, first_name, last_name, email, updates, created, created_by, last_modified, last_modified_by';
