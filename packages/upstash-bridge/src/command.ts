/**
 * Request bodies and paths → Redis commands.
 *
 * The Upstash REST API takes a command as a JSON array (`["SET","k","v","NX","PX",30000]`), a
 * pipeline or transaction as an array of those, or the path form `/set/k/v?EX=100` where a POST body
 * is the last value argument. @upstash/redis sends numbers and booleans unquoted, so every scalar
 * becomes its string form before it reaches Redis.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** An argument as the Redis client sends it; `Buffer` carries a raw path-form POST body. */
export type RedisArgument = string | Buffer;
export type RedisCommand = RedisArgument[];

const argumentSchema = z.union([z.string(), z.number(), z.boolean()]).transform((value) => String(value));

/** One command: `[name, ...args]`. */
export const commandSchema = z.array(argumentSchema).min(1, 'a command needs at least its name');

/** A pipeline or transaction body: `[[name, ...args], ...]`. */
export const commandListSchema = z.array(commandSchema).min(1, 'at least one command is needed');

/**
 * Builds a command from the path form: URL segments, then the POST body (if any) as one raw
 * argument, then query parameters as `NAME value` pairs (`/set/foo?EX=100` + body ≡
 * `SET foo <body> EX 100`). `_token` is the query-string credential, never an argument.
 */
export function commandFromPath(url: URL, body: Buffer | undefined): RedisCommand {
  // Split the still-encoded pathname so an encoded `/` (%2F) stays inside its argument.
  const command: RedisCommand = url.pathname
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => decodeURIComponent(segment));
  if (body !== undefined && body.length > 0) command.push(body);
  for (const [name, value] of url.searchParams) {
    if (name === '_token') continue;
    command.push(name);
    if (value !== '') command.push(value);
  }
  return command;
}

/*
 * Requests share a small pool of Redis connections, so a command that changes the state of its
 * connection would leak into later requests (SELECT, CLIENT REPLY OFF, a dangling MULTI or WATCH),
 * and streaming commands have no request/response shape. Upstash refuses these over REST too;
 * transactions go through `/multi-exec`.
 */
const REFUSED_COMMANDS = new Set([
  'AUTH',
  'DISCARD',
  'EXEC',
  'HELLO',
  'MONITOR',
  'MULTI',
  'PSUBSCRIBE',
  'PSYNC',
  'PUNSUBSCRIBE',
  'QUIT',
  'RESET',
  'SELECT',
  'SSUBSCRIBE',
  'SUBSCRIBE',
  'SUNSUBSCRIBE',
  'SYNC',
  'UNSUBSCRIBE',
  'UNWATCH',
  'WATCH',
]);

/** CLIENT subcommands that change how replies flow on the connection (the rest are harmless). */
const REFUSED_CLIENT_SUBCOMMANDS = new Set(['CACHING', 'REPLY', 'TRACKING']);

/** The error message for the first command the bridge will not forward, or `undefined`. */
export function refusal(commands: readonly RedisCommand[]): string | undefined {
  for (const [name, subcommand] of commands) {
    const upper = name?.toString().toUpperCase() ?? '';
    if (REFUSED_COMMANDS.has(upper)) return `ERR command is not available over REST: ${upper}`;
    const sub = subcommand?.toString().toUpperCase() ?? '';
    if (upper === 'CLIENT' && REFUSED_CLIENT_SUBCOMMANDS.has(sub)) {
      return `ERR command is not available over REST: CLIENT ${sub}`;
    }
  }
  return undefined;
}

/*
 * Upstash's Lua accepts script flags Redis does not know: @upstash/ratelimit starts its scripts with
 * `#!lua flags=allow-key-locking`, which Redis 7 refuses ("Unexpected flag in script shebang"). The
 * bridge drops flags Redis does not know from EVAL / SCRIPT LOAD, and maps the SHA1 a client computed
 * of the original script to the SHA1 Redis knows the rewritten one by, so EVALSHA finds it.
 */
const REDIS_SCRIPT_FLAGS = new Set([
  'no-writes',
  'allow-oom',
  'allow-stale',
  'no-cluster',
  'allow-cross-slot-keys',
]);
const SHEBANG = /^#!lua( flags=([^\n]*))?\n/;
const rewrittenShas = new Map<string, string>();
const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

function redisScript(script: string): string {
  const match = SHEBANG.exec(script);
  if (!match?.[2]) return script;
  const kept = match[2].split(',').filter((flag) => REDIS_SCRIPT_FLAGS.has(flag.trim()));
  if (kept.length === match[2].split(',').length) return script;
  const rewritten = `#!lua${kept.length > 0 ? ` flags=${kept.join(',')}` : ''}\n${script.slice(match[0].length)}`;
  rewrittenShas.set(sha1(script), sha1(rewritten));
  return rewritten;
}

/** The command as Redis must receive it (see above); every other command is unchanged. */
export function forRedis(command: RedisCommand): RedisCommand {
  const [name, first, ...rest] = command;
  const upper = name?.toString().toUpperCase();
  if (first === undefined || name === undefined) return command;
  if (upper === 'EVAL' || upper === 'EVAL_RO') return [name, redisScript(first.toString()), ...rest];
  if (upper === 'EVALSHA' || upper === 'EVALSHA_RO') {
    const sha = rewrittenShas.get(first.toString().toLowerCase());
    return sha ? [name, sha, ...rest] : command;
  }
  if (upper === 'SCRIPT' && first.toString().toUpperCase() === 'LOAD' && rest[0] !== undefined) {
    return [name, first, redisScript(rest[0].toString()), ...rest.slice(1)];
  }
  return command;
}
