// test/deploy/deploy-api.test.ts with the store on PostgreSQL.
import { onPostgres } from '../support/on-postgres';

await onPostgres(() => import('../deploy/deploy-api.test'));
