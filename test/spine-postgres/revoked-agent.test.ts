// test/spine/revoked-agent.test.ts with the store on PostgreSQL.
import { onPostgres } from '../support/on-postgres';

await onPostgres(() => import('../spine/revoked-agent.test'));
