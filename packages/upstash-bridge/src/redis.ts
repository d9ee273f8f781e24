/**
 * The Redis side of the bridge: every command goes to a real Redis server, nothing is emulated.
 *
 * Each HTTP request borrows one connection from a small pool for its whole duration. That gives
 * `/multi-exec` a real MULTI … EXEC on a single connection, keeps a pipeline's commands in order,
 * and lets unrelated requests run side by side (one slow Lua script does not stall the others).
 * Connections speak RESP2 because the Upstash REST API answers in RESP2 shapes (HGETALL is a flat
 * array, not a map).
 */
import { createClientPool, ErrorReply, RESP_TYPES } from '@redis/client';
import type { RedisCommand } from './command';

/**
 * Bulk strings decode to `Buffer` (raw bytes, so base64 responses are exact), status strings stay
 * `string`: reply.ts relies on that to tell the `OK` status from a stored value `OK`.
 */
const REPLY_TYPE_MAPPING = { [RESP_TYPES.BLOB_STRING]: Buffer };

/** What one command produced: a reply, or the error Redis answered with. */
export type CommandOutcome = { reply: unknown } | { error: string };

/** A transaction either ran (each command with its outcome) or Redis discarded it whole. */
export type TransactionOutcome = { executed: CommandOutcome[] } | { discarded: string };

/** Runs commands against Redis; the HTTP layer only depends on this. */
export interface RedisRunner {
  command(command: RedisCommand): Promise<CommandOutcome>;
  pipeline(commands: readonly RedisCommand[]): Promise<CommandOutcome[]>;
  transaction(commands: readonly RedisCommand[]): Promise<TransactionOutcome>;
  close(): Promise<void>;
}

type Connection = {
  sendCommand(args: RedisCommand, options: { typeMapping: typeof REPLY_TYPE_MAPPING }): Promise<unknown>;
};

/**
 * Connects a pool to `url` and resolves once the first connection is ready, so a wrong URL or a
 * stopped server fails the bridge's start rather than its first request.
 */
export async function connectRedis(url: string, maxConnections = 16): Promise<RedisRunner> {
  // A request waits for a free connection rather than failing after the pool's default 3 s: under a
  // burst on a loaded machine, that default turned queueing into 5xx answers (and the API's retries
  // into more load). A dead Redis fails at once: without the offline queue a command sent while its
  // connection is down is refused instead of held until Redis is back (or until a connect timeout
  // ends it after ~5 s), which is what a caller of a REST gateway expects from a backend outage.
  const pool = createClientPool(
    { url, RESP: 2, disableOfflineQueue: true },
    { minimum: 1, maximum: maxConnections, acquireTimeout: 60_000 },
  );
  // Without a listener a dropped connection would crash the process; the request that hits it
  // already fails with the client's own error, which the HTTP layer reports.
  pool.on('error', () => {});
  await pool.connect();

  const run = <T>(task: (connection: Connection) => Promise<T>): Promise<T> =>
    pool.execute((client) => task(client as unknown as Connection));
  const send = (connection: Connection, command: RedisCommand) =>
    connection.sendCommand(command, { typeMapping: REPLY_TYPE_MAPPING });

  return {
    command: (command) => run((connection) => outcome(send(connection, command))),

    pipeline: (commands) =>
      // Written back to back on one connection: Redis runs them in order, but other connections'
      // commands may interleave, which is exactly the non-atomic contract of `/pipeline`.
      run((connection) => Promise.all(commands.map((command) => outcome(send(connection, command))))),

    transaction: (commands) =>
      run(async (connection) => {
        // Sent back to back on a connection this request holds alone, so nothing can slip in
        // between MULTI and EXEC. Promise.all (not awaiting one by one) keeps every reply observed.
        const [begin, ...rest] = await Promise.all(
          [['MULTI'], ...commands, ['EXEC']].map((command) => outcome(send(connection, command))),
        );
        const exec = rest.pop();
        if (begin === undefined || exec === undefined) throw new Error('transaction lost its replies');
        if ('error' in begin) return { discarded: begin.error };
        if ('error' in exec) {
          // A command refused while queueing (unknown name, wrong arity) makes Redis discard the
          // whole transaction with EXECABORT; that command's own error says why.
          const refused = rest.find((queued) => 'error' in queued);
          return { discarded: refused && 'error' in refused ? refused.error : exec.error };
        }
        if (!Array.isArray(exec.reply)) return { discarded: 'EXECABORT Transaction was aborted' };
        // Errors at run time (INCR on a string) do not stop the other commands, as in Redis.
        return {
          executed: exec.reply.map((reply: unknown) =>
            reply instanceof ErrorReply ? { error: reply.message } : { reply },
          ),
        };
      }),

    close: () => pool.close(),
  };
}

/** An error *reply* from Redis is an outcome; anything else (connection lost) stays a failure. */
async function outcome(reply: Promise<unknown>): Promise<CommandOutcome> {
  try {
    return { reply: await reply };
  } catch (error) {
    if (error instanceof ErrorReply) return { error: error.message };
    throw error;
  }
}
