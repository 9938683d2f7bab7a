/**
 * One process per embedded data directory: two PGlite instances writing the same files would
 * corrupt them. The lock file holds the owner's pid; a lock left by a process that died (kill -9)
 * is taken over.
 */
import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import { databaseErrors } from '../errors/database-messages.js';

const LOCK_FILE = 'modhost.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class DataDirLock {
  private constructor(private readonly file: string) {}

  static acquire(dir: string): DataDirLock {
    const file = path.join(dir, LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(file, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return new DataDirLock(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const pid = Number(readFileSync(file, 'utf8').trim());
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid))
          throw databaseErrors.inUse(dir, pid);
        if (pid === process.pid) throw databaseErrors.inUse(dir, pid);
        rmSync(file, { force: true });
      }
    }
    throw databaseErrors.inUse(dir, Number(readFileSync(file, 'utf8').trim()));
  }

  release(): void {
    rmSync(this.file, { force: true });
  }
}
