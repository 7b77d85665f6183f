import type pg from 'pg';
import { withTransaction } from '../postgres-pool.ts';
import type { OutboxMessage, OutboxStats, OutboxStore, PendingOutboxRow } from './outbox-store.ts';

/** First key of the two-int advisory lock the relays of one producer share. */
const relayLockClass = 73_119;

// The hot statements are named: prepared once per connection, PostgreSQL skips parsing and
// planning them on every call.

/**
 * Appends messages to the outbox inside the caller's open transaction (`client` has run `begin`),
 * so they commit or roll back with the caller's own writes. One round trip for any number of rows.
 */
export async function appendToOutboxPostgres(
  client: pg.ClientBase,
  producer: string,
  messages: readonly OutboxMessage[],
): Promise<void> {
  if (messages.length === 0) return;
  await client.query({
    name: 'outbox_append',
    text: `insert into outbox (producer, exchange, routing_key, message_id, envelope)
     select $1, e, r, m, j::json from unnest($2::text[], $3::text[], $4::text[], $5::text[]) as t(e, r, m, j)`,
    values: [
      producer,
      messages.map((m) => m.exchange),
      messages.map((m) => m.routingKey),
      messages.map((m) => m.envelope.messageId),
      messages.map((m) => JSON.stringify(m.envelope)),
    ],
  });
}

interface RowRecord {
  id: string;
  exchange: string;
  routing_key: string;
  message_id: string;
  envelope: string;
}

export function createPostgresOutboxStore(pool: pg.Pool): OutboxStore {
  return {
    relayBatch: (producer, limit, publish) =>
      withTransaction(pool, async (client) => {
        const lock = await client.query<{ locked: boolean }>({
          name: 'outbox_relay_lock',
          text: 'select pg_try_advisory_xact_lock($1, hashtext($2)) as locked',
          values: [relayLockClass, producer],
        });
        if (!lock.rows[0]?.locked) return 0;
        const { rows } = await client.query<RowRecord>({
          name: 'outbox_relay_select',
          text: `select id::text as id, exchange, routing_key, message_id, envelope::text as envelope from outbox
           where producer = $1 and published_at is null order by outbox.id limit $2`,
          values: [producer, limit],
        });
        if (rows.length > 0) {
          await publish(rows.map(toPending));
          await client.query({
            name: 'outbox_relay_mark',
            text: 'update outbox set published_at = now() where id = any($1::bigint[])',
            values: [rows.map((r) => r.id)],
          });
        }
        return rows.length;
      }),
    async stats(producer): Promise<OutboxStats> {
      const { rows } = await pool.query<{ pending: string; age: number | null }>(
        `select count(*) as pending, extract(epoch from now() - min(created_at))::float8 as age
         from outbox where producer = $1 and published_at is null`,
        [producer],
      );
      return { pending: Number(rows[0]?.pending ?? 0), oldestAgeSec: Math.max(0, rows[0]?.age ?? 0) };
    },
  };
}

const toPending = (r: RowRecord): PendingOutboxRow => ({
  id: r.id,
  exchange: r.exchange,
  routingKey: r.routing_key,
  messageId: r.message_id,
  envelope: r.envelope,
});
