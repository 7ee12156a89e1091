// test/spine/cert-renewal.test.ts with the store on PostgreSQL.
import { onPostgres } from '../support/on-postgres';

await onPostgres(() => import('../spine/cert-renewal.test'));
