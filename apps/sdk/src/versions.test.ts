import { describe, expect, it } from 'vitest';
import { MissingVersionError } from './errors';
import { createVersionTracker, resolveOrderRef } from './versions';

describe('version tracker', () => {
  it('keeps the newest version received, even when answers arrive out of order', () => {
    const t = createVersionTracker();
    t.remember({ id: 'a', version: 3 });
    t.remember({ id: 'a', version: 2 });
    expect(t.get('a')).toBe(3);
    t.remember({ id: 'a', version: 4 });
    expect(t.get('a')).toBe(4);
  });

  it('resolves a bare id to the version held, and an explicit representation to its own version', () => {
    const t = createVersionTracker();
    t.remember({ id: 'a', version: 5 });
    expect(resolveOrderRef('a', t)).toEqual({ id: 'a', version: 5 });
    // The caller's explicit copy wins: it is what the user looked at when deciding.
    expect(resolveOrderRef({ id: 'a', version: 2 }, t)).toEqual({ id: 'a', version: 2 });
  });

  it('refuses to act on an order it holds no version of', () => {
    const t = createVersionTracker();
    expect(() => resolveOrderRef('unknown', t)).toThrow(MissingVersionError);
    t.remember({ id: 'gone', version: 1 });
    t.forget('gone');
    expect(() => resolveOrderRef('gone', t)).toThrow(MissingVersionError);
  });
});
