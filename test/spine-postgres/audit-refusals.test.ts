// test/spine/audit-refusals.test.ts with the store on PostgreSQL.
import { onPostgres } from '../support/on-postgres';

await onPostgres(() => import('../spine/audit-refusals.test'));
