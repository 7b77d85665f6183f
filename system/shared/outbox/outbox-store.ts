import type { Envelope } from '../../../contracts/envelope.ts';

/** One message to append to the outbox, inside the caller's transaction. */
export interface OutboxMessage {
  exchange: string;
  routingKey: string;
  envelope: Envelope;
}

/** A row waiting to be relayed; `envelope` is the stored JSON text, published as is. */
export interface PendingOutboxRow {
  /** bigint as a string. */
  id: string;
  exchange: string;
  routingKey: string;
  messageId: string;
  envelope: string;
}

export interface OutboxStats {
  pending: number;
  /** Age of the oldest unpublished row in seconds; 0 when none. */
  oldestAgeSec: number;
}

/** The relay's port: one adapter per database (postgres-outbox-store.ts, mssql-outbox-store.ts). */
export interface OutboxStore {
  /**
   * In one transaction: takes the producer's relay lock (skips, returning 0, when another relay
   * holds it), reads up to `limit` unpublished rows in id order, hands them to `publish`, and marks
   * them published only if `publish` resolves. Returns how many rows were published.
   */
  relayBatch(
    producer: string,
    limit: number,
    publish: (rows: PendingOutboxRow[]) => Promise<void>,
  ): Promise<number>;
  stats(producer: string): Promise<OutboxStats>;
}
