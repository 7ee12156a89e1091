// test/spine/kill-control.test.ts with the store on PostgreSQL.
import { onPostgres } from '../support/on-postgres';

await onPostgres(() => import('../spine/kill-control.test'));
