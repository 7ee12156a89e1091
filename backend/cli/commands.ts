// The subcommands of `dcoc-control`, in --help order. Add backup, restore,
// migrate here.
import { serve } from './serve';
import type { Subcommand } from './subcommand';

export const DEFAULT_COMMAND = 'serve';
export const COMMANDS: readonly Subcommand[] = [serve];
