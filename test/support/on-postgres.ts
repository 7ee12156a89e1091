// Runs a test file that starts its control service with TestFleet again,
// with the store on PostgreSQL (a database of its own per fleet): the same
// behaviour is promised on both engines. No server: skipped loudly (fails under CI).
import { it } from 'node:test';
import { skipWithoutPostgres } from './postgres';

export async function onPostgres(load: () => Promise<unknown>): Promise<void> {
  const skip = await skipWithoutPostgres();
  if (skip) {
    it('runs on PostgreSQL', { skip }, () => undefined);
    return;
  }
  process.env.DCOC_TEST_STORE = 'postgres';
  await load();
}
