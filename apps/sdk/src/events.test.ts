import { describe, expect, it } from 'vitest';
import { parseSse } from './events';

/** A body that delivers `chunks`, then stays open; its cancel never settles (as a stuck connection's). */
function openBody(chunks: string[]) {
  const encoder = new TextEncoder();
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
    },
    cancel() {
      cancelled = true;
      return new Promise<void>(() => {});
    },
  });
  return { body, cancelled: () => cancelled };
}

describe('parseSse', () => {
  it('parses messages with ids, skips comments, joins data lines, accepts every line ending', async () => {
    const { body } = openBody([
      ': heartbeat\n\nid: 7\ndata: {"a":\r\ndata: 1}\r\n\r',
      '\nretry: 50\ndata: x\n\n',
    ]);
    const messages = [];
    for await (const message of parseSse(body)) {
      messages.push(message);
      if (messages.length === 2) break;
    }
    expect(messages).toEqual([
      { id: '7', data: '{"a":\n1}', retry: undefined },
      { id: '7', data: 'x', retry: 50 },
    ]);
  });

  it('finishes at once when the reader stops, even if cancelling the body never settles', async () => {
    const { body, cancelled } = openBody(['data: one\n\n']);
    const messages = parseSse(body);
    expect((await messages.next()).value?.data).toBe('one');
    // `break` in a for-await calls return(): it must not wait on the body's cancel.
    await expect(messages.return(undefined)).resolves.toEqual({ value: undefined, done: true });
    expect(cancelled()).toBe(true);
  });
});
