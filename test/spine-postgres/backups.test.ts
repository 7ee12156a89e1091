// test/spine/backups.test.ts with the store on PostgreSQL.
import { onPostgres } from '../support/on-postgres';

await onPostgres(() => import('../spine/backups.test'));
