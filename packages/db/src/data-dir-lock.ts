/**
 * One process per embedded (PGlite) data directory. PGlite runs PostgreSQL inside the process and
 * takes no lock of its own, so two processes opening one directory would both write its files and
 * corrupt it. The owner writes its pid to `<dataDir>.lock` (created exclusively); a second process
 * finds a live pid there and is refused with a message naming the directory and the process. A
 * lock whose process is gone (killed, crashed) is stale and taken over.
 */
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
    readonly lockFile: string,
  ) {
    super(
      `The embedded database directory ${dataDir} is already in use by process ${pid} (${lockFile}). ` +
        'Stop that process first, or give this one its own DATA_DIR or a DATABASE_URL.',
    );
    this.name = 'DataDirLockedError';
  }
}

export const lockFileOf = (dataDir: string) => `${resolve(dataDir)}.lock`;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by another user
  }
}

function ownerOf(lockFile: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(lockFile, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null; // vanished meanwhile, or unreadable
  }
}

/**
 * Take the lock of `dataDir` for this process until it exits (or `release()`); throws
 * `DataDirLockedError` while another live process holds it.
 */
export function lockDataDir(dataDir: string): { lockFile: string; release(): void } {
  const lockFile = lockFileOf(dataDir);
  mkdirSync(dirname(lockFile), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    // Written aside, then linked into place: the lock file never exists without its pid.
    const pending = `${lockFile}.${process.pid}`;
    writeFileSync(pending, `${process.pid}\n`);
    try {
      linkSync(pending, lockFile);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw err;
      const owner = ownerOf(lockFile);
      if (owner !== null && owner !== process.pid && isAlive(owner)) {
        throw new DataDirLockedError(resolve(dataDir), owner, lockFile);
      }
      // Stale: its process is gone. Remove it and try again.
      try {
        unlinkSync(lockFile);
      } catch {}
    } finally {
      unlinkSync(pending);
    }
  }
  const release = () => {
    process.off('exit', release);
    if (ownerOf(lockFile) === process.pid) {
      try {
        unlinkSync(lockFile);
      } catch {}
    }
  };
  process.on('exit', release);
  return { lockFile, release };
}
