import type { CommandStatus } from '@rdpfix/domain';

/**
 * Maps an SSM invocation's Status + StatusDetails onto the internal set (DESIGN §5,
 * command-channels.md §1.3 and §6.4). Unknown statuses are non-terminal: keep polling.
 */
export function mapSsmStatus(status: string | undefined, details: string | undefined): CommandStatus {
  const d = (details ?? '').replace(/\s+/g, '').toLowerCase();
  switch (status) {
    case 'Pending':
    case 'Delayed':
      return 'pending';
    case 'InProgress':
    case 'Cancelling':
      return 'running';
    case 'Success':
      return 'succeeded';
    case 'Cancelled':
      return 'cancelled';
    case 'TimedOut':
      // Delivery Timed Out means the agent never ran it: an agent problem, not a script problem.
      return d === 'deliverytimedout' ? 'undelivered' : 'timed_out';
    case 'Failed':
      if (d === 'undeliverable') return 'undelivered';
      if (d === 'invalidplatform' || d === 'accessdenied') return 'rejected';
      if (d === 'terminated') return 'cancelled';
      if (d === 'executiontimedout') return 'timed_out';
      if (d === 'deliverytimedout') return 'undelivered';
      return 'failed';
    default:
      return 'pending';
  }
}

/** SSM agent truncation markers (command-channels.md §1.4). */
export function hasTruncationMarker(text: string): boolean {
  return /---Output truncated---|---Error truncated----|--output truncated--/i.test(text);
}
