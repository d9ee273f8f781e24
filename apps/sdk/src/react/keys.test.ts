import { describe, expect, it } from 'vitest';
import { idempotencyKeyMemo } from './keys';

describe('idempotencyKeyMemo', () => {
  let n = 0;
  const memo = () => idempotencyKeyMemo(() => `key-${++n}`);

  it('gives the same operation the same key, whatever the order of its fields', () => {
    const keys = memo();
    const first = keys.keyFor({ action: 'pay', id: 'o1', version: 1 });
    expect(keys.keyFor({ version: 1, id: 'o1', action: 'pay' })).toBe(first);
  });

  it('gives a different operation (next version, other reason, other cart) a new key', () => {
    const keys = memo();
    const pay = keys.keyFor({ action: 'pay', id: 'o1', version: 1 });
    expect(keys.keyFor({ action: 'pay', id: 'o1', version: 2 })).not.toBe(pay);
    const a = keys.keyFor({ action: 'cancel', id: 'o1', version: 2, reason: 'a' });
    expect(keys.keyFor({ action: 'cancel', id: 'o1', version: 2, reason: 'b' })).not.toBe(a);
    expect(keys.keyFor({ items: [{ id: 'x', quantity: 1 }] })).not.toBe(
      keys.keyFor({ items: [{ id: 'x', quantity: 2 }] }),
    );
  });

  it('forgets the oldest operations past its bound', () => {
    const keys = memo();
    const first = keys.keyFor({ i: 0 });
    for (let i = 1; i <= 200; i++) keys.keyFor({ i });
    expect(keys.keyFor({ i: 0 })).not.toBe(first);
    expect(keys.keyFor({ i: 200 })).toBe(keys.keyFor({ i: 200 }));
  });
});
