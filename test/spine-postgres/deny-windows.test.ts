// test/spine/deny-windows.test.ts with the store on PostgreSQL.
import { onPostgres } from '../support/on-postgres';

await onPostgres(() => import('../spine/deny-windows.test'));
