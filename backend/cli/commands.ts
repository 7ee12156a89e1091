// The subcommands of `dcoc-control`, in --help order.
import { auditCommand } from './audit';
import { backupCommand, restoreCommand } from '../backup/commands';
import { migrate } from './migrate';
import { serve } from './serve';
import type { Subcommand } from './subcommand';

export const DEFAULT_COMMAND = 'serve';
export const COMMANDS: readonly Subcommand[] = [serve, backupCommand, restoreCommand, migrate, auditCommand];
