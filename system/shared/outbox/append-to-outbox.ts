import mssql from 'mssql';
import type pg from 'pg';
import { appendToOutboxMssql } from './mssql-outbox-store.ts';
import type { OutboxMessage } from './outbox-store.ts';
import { appendToOutboxPostgres } from './postgres-outbox-store.ts';

/** An open transaction: a `pg` client after `begin`, or an `mssql` transaction after `begin()`. */
export type OutboxTransaction = pg.ClientBase | mssql.Transaction;

/**
 * Appends messages to the outbox inside the caller's transaction, so the caller's effect and the
 * events describing it commit together. Call the relay's `wake()` after the commit.
 */
export function appendToOutbox(
  tx: OutboxTransaction,
  producer: string,
  messages: readonly OutboxMessage[],
): Promise<void> {
  return tx instanceof mssql.Transaction
    ? appendToOutboxMssql(tx, producer, messages)
    : appendToOutboxPostgres(tx, producer, messages);
}
