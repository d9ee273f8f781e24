/**
 * One idempotency key per logical operation, remembered by what the operation is (its canonical
 * JSON), so submitting the same thing twice sends the same key and the API replays the first
 * answer. Free of React so it is unit-tested on its own.
 */
import { canonicalJson } from '@quickeats/domain';

export interface IdempotencyKeyMemo {
  /** The key of this operation: the one used before for the same operation, else a new one. */
  keyFor(operation: unknown): string;
}

/** Keys kept per memo (a page's worth of operations; the oldest are forgotten first). */
const MAX_REMEMBERED = 200;

export function idempotencyKeyMemo(newKey: () => string): IdempotencyKeyMemo {
  const keys = new Map<string, string>();
  return {
    keyFor(operation) {
      const identity = canonicalJson(operation);
      let key = keys.get(identity);
      if (key === undefined) {
        key = newKey();
        keys.set(identity, key);
        if (keys.size > MAX_REMEMBERED) keys.delete(keys.keys().next().value as string);
      }
      return key;
    },
  };
}
