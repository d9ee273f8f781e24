/**
 * "The last representation the caller holds": the client records the version of every order it
 * receives, and an action called with a bare id sends that version as If-Match / expectedVersion.
 * A 412's `currentVersion` is deliberately *not* recorded: the caller has not seen that state, and
 * acting on it blindly would overwrite the change the 412 reported.
 */
import { MissingVersionError } from './errors';
import type { OrderRef, VersionTracker } from './types';

export function createVersionTracker(): VersionTracker {
  const versions = new Map<string, number>();
  return {
    get: (id) => versions.get(id),
    remember({ id, version }) {
      // Answers can arrive out of order (a slow GET after a fast action): keep the newest.
      const held = versions.get(id);
      if (held === undefined || version > held) versions.set(id, version);
    },
    forget: (id) => {
      versions.delete(id);
    },
  };
}

/** The order id and the version an action must be conditional on. */
export function resolveOrderRef(ref: OrderRef, tracker: VersionTracker): { id: string; version: number } {
  if (typeof ref !== 'string') return { id: ref.id, version: ref.version };
  const version = tracker.get(ref);
  if (version === undefined) {
    throw new MissingVersionError(
      `No representation of order ${ref} is held: read it (orders.get) before acting on it, or pass the order`,
    );
  }
  return { id: ref, version };
}
