/**
 * What the CLI keeps between runs, in one JSON file (mode 0600): the API it talks to, the token,
 * and the idempotency key of every payment started but not yet confirmed. Keeping the key before
 * the first attempt is what makes `quickeats pay` safe even across a crash: a rerun pays with the
 * same key, so the API replays the first payment instead of charging again.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface SessionState {
  apiUrl?: string;
  token?: string;
  email?: string;
  /** orderId → idempotency key of a payment not yet confirmed. */
  pendingPayments: Record<string, string>;
}

export interface SessionStore {
  path: string;
  load(): Promise<SessionState>;
  save(state: SessionState): Promise<void>;
  clear(): Promise<void>;
}

/** `$QUICKEATS_HOME`, else `$XDG_CONFIG_HOME/quickeats`, else `~/.config/quickeats`. */
export function sessionDir(env: Record<string, string | undefined>): string {
  if (env.QUICKEATS_HOME) return env.QUICKEATS_HOME;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'quickeats');
}

export function sessionStore(dir: string): SessionStore {
  const path = join(dir, 'session.json');
  return {
    path,
    async load() {
      try {
        const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<SessionState>;
        return { ...parsed, pendingPayments: parsed.pendingPayments ?? {} };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { pendingPayments: {} };
        throw err;
      }
    },
    async save(state) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFile(path, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    },
    async clear() {
      await rm(path, { force: true });
    },
  };
}
