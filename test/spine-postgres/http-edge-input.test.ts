// test/spine/http-edge-input.test.ts with the store on PostgreSQL.
import { onPostgres } from '../support/on-postgres';

await onPostgres(() => import('../spine/http-edge-input.test'));
