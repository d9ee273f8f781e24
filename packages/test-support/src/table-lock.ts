/**
 * Hold `lock table … in access exclusive mode` from a session of the test's own, so every statement
 * that touches the table waits: a database that accepts connections but does not answer, for as
 * long as the test needs, without stopping any server.
 */
import postgres from 'postgres';

export interface TableLock {
  /** Let the waiting statements through and close the locking session. Idempotent. */
  release(): Promise<void>;
}

/** Resolves once the lock is held (never before: the caller may rely on statements now waiting). */
export async function holdTableLock(databaseUrl: string, table: string): Promise<TableLock> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const holder = sql.begin(async (tx) => {
    await tx`lock table ${tx(table)} in access exclusive mode`;
    locked();
    await released;
  });
  // A failure to take the lock must reject the caller rather than leave it waiting forever.
  await Promise.race([
    isLocked,
    holder.then(() => Promise.reject(new Error(`lock on ${table} ended early`))),
  ]);
  let ended: Promise<void> | undefined;
  return {
    release() {
      ended ??= (async () => {
        release();
        await holder.catch(() => {});
        await sql.end();
      })();
      return ended;
    },
  };
}
