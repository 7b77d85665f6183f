/**
 * The fan-out floor's wire record and the messages between its processes. A record is one
 * notification as the floor sends it: fixed size, the intended send time (epoch µs) in its first
 * eight bytes, the rest filler, so a listener needs no parser beyond counting bytes.
 */
export const RECORD_BYTES = 320;

/** The record sent for the notification intended at `intendedUs` (epoch µs). */
export function recordFor(intendedUs: number): Buffer {
  const record = Buffer.alloc(RECORD_BYTES, 0x2e);
  record.writeDoubleLE(intendedUs, 0);
  return record;
}

export const intendedUsOf = (record: Buffer, at = 0): number => record.readDoubleLE(at);

/** Parent → server. */
export type ServerCommand = { kind: 'send'; intendedUs: number } | { kind: 'report' };

/** Server → parent. */
export type ServerReply =
  | { kind: 'listening'; port: number }
  | {
      kind: 'report';
      connected: number;
      sends: number;
      writes: number;
      /** CPU time in the process's own code and in the kernel on its behalf (the writes' TCP work). */
      userUs: number;
      systemUs: number;
      loopMs: number[];
    };

/** Parent → listener process. */
export type ListenerCommand =
  /** Spread `count` connections over the servers at `ports`, in turn. */
  { kind: 'connect'; ports: number[]; count: number; localAddress: string } | { kind: 'report' };

/** Listener process → parent. */
export type ListenerReply =
  | { kind: 'connected'; count: number; failed: number }
  | {
      kind: 'report';
      /** Intended send → receipt of every record received (an encoded latency histogram, µs). */
      latency: string;
      cpuUs: number;
      lagP99Ms: number;
      lagMaxMs: number;
    };
