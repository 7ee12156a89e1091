// A free TCP port on 127.0.0.1 for a process a test starts, safe with many
// test processes at once. A port the kernel hands out for port 0 comes from
// the ephemeral range, where any outgoing connection on the machine may take
// it before the test's process binds it (EADDRINUSE seen with files running
// in parallel). So ports come from below that range, which the kernel never
// hands out by itself, and each is reserved for this process in
// .data/test-ports/ until it exits, so no other test process picks it.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { pidAlive } from './pid-alive';

const DIR = join(resolve(import.meta.dirname, '..', '..'), '.data', 'test-ports');
/** Below Linux's default ephemeral range (32768–60999) and above the range Grafana's plugin hosts are given (10000–25000). */
const LOW = 26000;
const HIGH = 32700;

const mine: string[] = [];
process.on('exit', () => {
  for (const f of mine) rmSync(f, { force: true });
});


/** Claims port's reservation file; takes over one whose process has ended. */
function reserve(port: number): boolean {
  const file = join(DIR, String(port));
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
  } catch {
    let holder: number;
    try {
      holder = Number(readFileSync(file, 'utf8'));
    } catch {
      return false;
    }
    if (!Number.isInteger(holder) || holder === 0 || pidAlive(holder)) return false;
    rmSync(file, { force: true });
    return reserve(port);
  }
  mine.push(file);
  return true;
}

function bindable(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(false));
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

export async function freePort(): Promise<number> {
  mkdirSync(DIR, { recursive: true });
  for (let i = 0; i < 1000; i++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (!reserve(port)) continue;
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port in ${LOW}–${HIGH} after 1000 tries (reservations in ${DIR}: ${readdirSync(DIR).length})`);
}
