/**
 * Redis reply → the JSON value the Upstash REST API puts in `result`.
 *
 * Upstash answers in RESP2 shapes: integers as numbers, nil as `null`, status and bulk strings as
 * strings, arrays (nested) as arrays. With `Upstash-Encoding: base64` every string is the base64 of
 * its raw bytes, except a top-level `OK` status. That exception is exact, not cosmetic: @upstash/redis
 * decodes a top-level `result` with `raw === "OK" ? "OK" : base64decode(raw)` but decodes every
 * string *inside* an array unconditionally, so an `OK` nested in an array must be encoded too.
 */
import { ErrorReply } from '@redis/client';

/** How strings are written in a response: plain UTF-8 text, or base64 of the raw bytes. */
export type ResultEncoding = 'utf8' | 'base64';

/** A JSON value as Upstash returns it. */
export type UpstashValue = null | number | string | UpstashValue[];

/**
 * Converts one decoded Redis reply. Replies must be decoded with bulk strings as `Buffer` and status
 * strings as `string` (see `REPLY_TYPE_MAPPING` in redis.ts), which is what tells `OK`-the-status
 * from a stored value that happens to be the two letters `OK`.
 */
export function toUpstashValue(reply: unknown, encoding: ResultEncoding): UpstashValue {
  if (reply === 'OK') return 'OK';
  return convert(reply, encoding);
}

function convert(reply: unknown, encoding: ResultEncoding): UpstashValue {
  if (reply === null || reply === undefined) return null;
  // RESP2 integers are 64-bit; the Redis client decodes them to JS numbers, so integers beyond
  // 2^53 lose precision here. @upstash/redis parses the JSON into JS numbers anyway.
  if (typeof reply === 'number') return reply;
  if (typeof reply === 'string') return encoding === 'base64' ? Buffer.from(reply).toString('base64') : reply;
  // Invalid UTF-8 becomes U+FFFD without base64, as the Upstash docs describe.
  if (Buffer.isBuffer(reply)) return reply.toString(encoding === 'base64' ? 'base64' : 'utf8');
  // An error nested in an array (a Lua table holding `redis.error_reply`) has no JSON form of its
  // own in the REST protocol; its message is the most useful string to hand back.
  if (reply instanceof ErrorReply) return convert(reply.message, encoding);
  if (Array.isArray(reply)) return reply.map((item) => convert(item, encoding));
  throw new TypeError(`unexpected Redis reply of type ${typeof reply}`);
}
