/** The internal command status set every channel adapter maps onto (DESIGN §5). */
export const COMMAND_STATUSES = [
  'pending',
  'running',
  'succeeded',
  'failed',
  'timed_out',
  'undelivered',
  'cancelled',
  'rejected',
] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

export const TERMINAL_COMMAND_STATUSES: ReadonlySet<CommandStatus> = new Set([
  'succeeded',
  'failed',
  'timed_out',
  'undelivered',
  'cancelled',
  'rejected',
]);

export function isTerminalCommandStatus(s: CommandStatus): boolean {
  return TERMINAL_COMMAND_STATUSES.has(s);
}
