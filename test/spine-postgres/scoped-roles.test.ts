// test/spine/scoped-roles.test.ts with the store on PostgreSQL.
import { onPostgres } from '../support/on-postgres';

await onPostgres(() => import('../spine/scoped-roles.test'));
