import mssql from 'mssql';
import type { OutboxMessage, OutboxStats, OutboxStore, PendingOutboxRow } from './outbox-store.ts';

/** Every T-SQL statement of this adapter; the unit suite parses each with a T-SQL parser. */
export const mssqlOutboxStatements = {
  append: `INSERT INTO outbox (producer, exchange, routing_key, message_id, envelope) VALUES (@producer, @exchange, @routingKey, @messageId, @envelope)`,
  selectPending: `SELECT TOP (@limit) id, exchange, routing_key, message_id, envelope FROM outbox WITH (UPDLOCK, READPAST) WHERE producer = @producer AND published_at IS NULL ORDER BY id`,
  markPublished: `UPDATE outbox SET published_at = SYSDATETIMEOFFSET() WHERE id IN (SELECT CAST(value AS BIGINT) FROM STRING_SPLIT(@ids, ','))`,
  stats: `SELECT COUNT(*) AS pending, CAST(DATEDIFF_BIG(MILLISECOND, MIN(created_at), SYSDATETIMEOFFSET()) AS BIGINT) AS oldest_age_ms FROM outbox WHERE producer = @producer AND published_at IS NULL`,
} as const;

/** Stored procedure giving the relay of one producer its transaction-scoped lock. */
export const relayLockProcedure = 'sp_getapplock';

/** Appends messages inside the caller's open transaction. */
export async function appendToOutboxMssql(
  tx: mssql.Transaction,
  producer: string,
  messages: readonly OutboxMessage[],
): Promise<void> {
  for (const m of messages) {
    await tx
      .request()
      .input('producer', mssql.NVarChar(50), producer)
      .input('exchange', mssql.NVarChar(200), m.exchange)
      .input('routingKey', mssql.NVarChar(200), m.routingKey)
      .input('messageId', mssql.NVarChar(100), m.envelope.messageId)
      .input('envelope', mssql.NVarChar(mssql.MAX), JSON.stringify(m.envelope))
      .query(mssqlOutboxStatements.append);
  }
}

interface RowRecord {
  id: string | number;
  exchange: string;
  routing_key: string;
  message_id: string;
  envelope: string;
}

export function createMssqlOutboxStore(pool: mssql.ConnectionPool): OutboxStore {
  return {
    async relayBatch(producer, limit, publish) {
      const tx = new mssql.Transaction(pool);
      await tx.begin();
      try {
        const lock = await tx
          .request()
          .input('Resource', mssql.NVarChar(255), `outbox-relay:${producer}`)
          .input('LockMode', mssql.NVarChar(32), 'Exclusive')
          .input('LockOwner', mssql.NVarChar(32), 'Transaction')
          .input('LockTimeout', mssql.Int, 0)
          .execute(relayLockProcedure);
        if (lock.returnValue < 0) {
          await tx.commit();
          return 0;
        }
        const { recordset } = await tx
          .request()
          .input('limit', mssql.Int, limit)
          .input('producer', mssql.NVarChar(50), producer)
          .query<RowRecord>(mssqlOutboxStatements.selectPending);
        if (recordset.length > 0) {
          await publish(recordset.map(toPending));
          const ids = recordset.map((r) => String(r.id)).join(',');
          await tx
            .request()
            .input('ids', mssql.NVarChar(mssql.MAX), ids)
            .query(mssqlOutboxStatements.markPublished);
        }
        await tx.commit();
        return recordset.length;
      } catch (error) {
        await tx.rollback().catch(() => undefined);
        throw error;
      }
    },
    async stats(producer): Promise<OutboxStats> {
      const { recordset } = await pool
        .request()
        .input('producer', mssql.NVarChar(50), producer)
        .query<{ pending: number; oldest_age_ms: string | number | null }>(mssqlOutboxStatements.stats);
      const row = recordset[0];
      return {
        pending: Number(row?.pending ?? 0),
        oldestAgeSec: Math.max(0, Number(row?.oldest_age_ms ?? 0) / 1000),
      };
    },
  };
}

const toPending = (r: RowRecord): PendingOutboxRow => ({
  id: String(r.id),
  exchange: r.exchange,
  routingKey: r.routing_key,
  messageId: r.message_id,
  envelope: r.envelope,
});
