/** The domain's verdict (`judgeIdempotency`) in the stores' vocabulary. */
import type { IdempotencyVerdict } from '@quickeats/domain';
import type { KeyState } from './store';

export function stateFromVerdict(
  verdict: Exclude<IdempotencyVerdict, { kind: 'execute' }>,
): Exclude<KeyState, { kind: 'free' }> {
  switch (verdict.kind) {
    case 'replay':
      return {
        kind: 'replay',
        response: { status: verdict.status, headers: verdict.headers, body: verdict.body },
      };
    case 'mismatch':
      return { kind: 'mismatch' };
    case 'in-flight':
      return { kind: 'in-flight', retryAfterSeconds: verdict.retryAfterSeconds };
  }
}
