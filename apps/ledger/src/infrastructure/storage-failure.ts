/**
 * SQLite result codes (better-sqlite3 reports the extended code, e.g. SQLITE_IOERR_FSYNC)
 * that say the storage cannot serve now, not that the request or the data is wrong: a
 * write lock held past busy_timeout, a full or read-only disk, an I/O error.
 */
const SQLITE_UNAVAILABLE = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_PROTOCOL', 'SQLITE_NOMEM'];

/**
 * PostgreSQL SQLSTATEs of the same kind: classes 08 (connection exception), 53
 * (insufficient resources: disk full, too many connections), 58 (system error, e.g. I/O);
 * 57P01–57P03 (the server shutting down or starting); 40001 and 40P01 (serialization
 * failure, deadlock: retrying succeeds); 55P03 (lock not available).
 */
const PG_UNAVAILABLE = (code: string) => /^(08|53|58)/.test(code) || ['57P01', '57P02', '57P03', '40001', '40P01', '55P03'].includes(code);

/** The operating system's word for a database server it cannot reach. */
const NETWORK = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'];

/**
 * node-postgres reports a lost or unobtainable connection as a plain Error, by message
 * only (pg 8: client.js and pg-pool's index.js).
 */
const PG_CONNECTION_LOST = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error and is not queryable)/;

/**
 * Whether `error` means the ledger's storage — the event store, the key vault, the read
 * models — cannot serve at the moment; then its code, safe to log (it never quotes data),
 * else null. Such a failure is answered 503 with Retry-After, not 500: nothing is wrong
 * with the request, and a command retried with the same Idempotency-Key is safe.
 */
export function storageFailure(error: unknown): string | null {
  // Recognised by shape, not by class: better-sqlite3's native addon keeps the error class
  // of the first copy of the module loaded in the process, which need not be ours (jest
  // loads one copy per test file).
  const e = error as { name?: unknown; code?: unknown; syscall?: unknown; severity?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : null;
  if (!code) return error instanceof Error && PG_CONNECTION_LOST.test(error.message) ? 'PG_CONNECTION_LOST' : null;
  if (e!.name === 'SqliteError') return SQLITE_UNAVAILABLE.some((c) => code === c || code.startsWith(`${c}_`)) ? code : null;
  // node-postgres's DatabaseError: a server's ErrorResponse, with its SQLSTATE
  if (typeof e!.severity === 'string' && /^[0-9A-Z]{5}$/.test(code)) return PG_UNAVAILABLE(code) ? code : null;
  if (NETWORK.includes(code) && typeof e!.syscall === 'string') return code;
  return null;
}
