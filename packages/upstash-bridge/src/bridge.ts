/**
 * The HTTP side: the Upstash Redis REST protocol as a Hono app.
 *
 * Routes (after the Upstash REST API docs): `POST /` with a JSON command array → `{ result }`, or
 * `{ error }` with 400; `POST /pipeline` → `[{ result } | { error }, …]` with 200 even when some
 * commands failed; `POST /multi-exec` → the same array from one MULTI/EXEC, or a single `{ error }`
 * with 400 when Redis discards the transaction; `GET|POST /<command>/<arg>…` path form. A token is
 * required on every route (`Authorization: Bearer <token>` or `?_token=`), else 401.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { Hono } from 'hono';
import type { z } from 'zod';
import type { RedisCommand } from './command';
import { commandFromPath, commandListSchema, commandSchema, forRedis, refusal } from './command';
import type { CommandOutcome, RedisRunner } from './redis';
import type { ResultEncoding, UpstashValue } from './reply';
import { toUpstashValue } from './reply';

/** Hono environment of the bridge: the encoding the request asked for, set once by middleware. */
export type BridgeEnv = { Variables: { encoding: ResultEncoding } };

export interface UpstashBridgeAppOptions {
  /** Where commands run; `connectRedis(url)` gives one backed by a real server. */
  redis: RedisRunner;
  /** The bearer token clients must present. */
  token: string;
}

/** A request the protocol refuses; rendered as `{ error }` with its status in one place. */
class BridgeRequestError extends Error {
  constructor(
    readonly status: 400 | 401 | 405,
    message: string,
  ) {
    super(message);
  }
}

type Entry = { result: UpstashValue } | { error: string };

/**
 * Builds the app without binding a port, so tests can call `app.request()` directly.
 *
 * @example
 * ```ts
 * const redis = await connectRedis('redis://127.0.0.1:6379');
 * const app = createUpstashBridgeApp({ redis, token: 'secret' });
 * const res = await app.request('/', {
 *   method: 'POST',
 *   headers: { Authorization: 'Bearer secret' },
 *   body: JSON.stringify(['SET', 'k', 'v']),
 * });
 * await res.json(); // { result: 'OK' }
 * ```
 */
export function createUpstashBridgeApp({ redis, token }: UpstashBridgeAppOptions): Hono<BridgeEnv> {
  const app = new Hono<BridgeEnv>();

  app.onError((error, c) =>
    error instanceof BridgeRequestError
      ? c.json({ error: error.message }, error.status)
      : // Not the client's fault (Redis unreachable, pool exhausted): 503, as a gateway answers when
        // its backend is gone, so callers may retry. Some client errors have an empty message.
        c.json({ error: `ERR upstash-bridge: ${error.message || error.name}` }, 503),
  );

  app.use(async (c, next) => {
    if (!isAuthorized(c.req.header('authorization'), new URL(c.req.url).searchParams.get('_token'), token)) {
      throw new BridgeRequestError(401, 'Unauthorized');
    }
    // Upstash can also answer raw RESP2; clients that ask for it must not get JSON they misread.
    const format = c.req.header('upstash-response-format');
    if (format !== undefined && format.toLowerCase() !== 'json') {
      throw new BridgeRequestError(
        400,
        `ERR Upstash-Response-Format "${format}" is not supported by this bridge`,
      );
    }
    c.set('encoding', c.req.header('upstash-encoding')?.toLowerCase() === 'base64' ? 'base64' : 'utf8');
    await next();
  });

  const single = async (c: Context<BridgeEnv>, command: RedisCommand) => {
    const [prepared] = refuseUnavailable([command]);
    const entry = toEntry(await redis.command(prepared!), c.var.encoding);
    return 'error' in entry ? c.json(entry, 400) : c.json(entry);
  };

  app.post('/', async (c) => single(c, parseBody(commandSchema, await c.req.text())));

  app.post('/pipeline', async (c) => {
    const commands = refuseUnavailable(parseBody(commandListSchema, await c.req.text()));
    const outcomes = await redis.pipeline(commands);
    return c.json(outcomes.map((outcome) => toEntry(outcome, c.var.encoding)));
  });

  app.post('/multi-exec', async (c) => {
    const commands = refuseUnavailable(parseBody(commandListSchema, await c.req.text()));
    const transaction = await redis.transaction(commands);
    if ('discarded' in transaction) return c.json({ error: transaction.discarded }, 400);
    return c.json(transaction.executed.map((outcome) => toEntry(outcome, c.var.encoding)));
  });

  app.on(['GET', 'POST', 'PUT'], '*', async (c) => {
    const body = c.req.method === 'GET' ? undefined : Buffer.from(await c.req.arrayBuffer());
    const command = commandFromPath(new URL(c.req.url), body);
    if (command.length === 0) throw new BridgeRequestError(400, 'ERR empty command');
    return single(c, command);
  });

  app.all('*', () => {
    throw new BridgeRequestError(405, 'Method Not Allowed');
  });

  return app;
}

function toEntry(outcome: CommandOutcome, encoding: ResultEncoding): Entry {
  // Error messages are never base64-encoded: the client reads `error` as plain text.
  return 'error' in outcome ? { error: outcome.error } : { result: toUpstashValue(outcome.reply, encoding) };
}

function parseBody<T extends z.ZodType>(schema: T, text: string): z.output<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BridgeRequestError(400, 'ERR failed to parse request body as JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at [${issue.path.join('][')}]` : '';
    throw new BridgeRequestError(400, `ERR invalid command${where}: ${issue?.message ?? 'malformed'}`);
  }
  return parsed.data;
}

/** The commands as Redis must run them, or a 400 for one the bridge will not forward. */
function refuseUnavailable(commands: readonly RedisCommand[]): RedisCommand[] {
  const message = refusal(commands);
  if (message !== undefined) throw new BridgeRequestError(400, message);
  return commands.map(forRedis);
}

/**
 * An `Authorization` header, when present, decides alone (no fallback to `_token`), so a wrong
 * header is never rescued by a leaked URL. Compared in constant time.
 */
function isAuthorized(header: string | undefined, queryToken: string | null, token: string): boolean {
  if (header !== undefined) {
    const match = /^Bearer (.+)$/i.exec(header.trim());
    return match?.[1] !== undefined && sameSecret(match[1], token);
  }
  return queryToken !== null && sameSecret(queryToken, token);
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
