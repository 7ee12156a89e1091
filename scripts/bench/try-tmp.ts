import { startSeededControl } from '../../test/support/seeded-control';
import { ADMIN_TOKEN } from '../../test/support/fleet';
const t0 = performance.now();
const s = await startSeededControl(Number(process.argv[2] ?? 1000));
console.log('seeded+started', (performance.now() - t0).toFixed(0), 'ms');
try {
  for (const p of ['/api/v1/commons', '/api/v1/fleet/summary', '/api/v1/fleet/summary?services=true', '/api/v1/fleet/summary?from=x']) {
    const t = performance.now();
    const r = await fetch(s.control.url + p, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    const text = await r.text();
    console.log(p, r.status, text.length, (performance.now() - t).toFixed(1), 'ms', text.slice(0, 400));
  }
} finally { await s.stop(); }
