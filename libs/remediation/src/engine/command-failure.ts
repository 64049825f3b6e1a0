import type { FailureReason } from '@rdpfix/domain';
import type { CommandRunEntity } from '@rdpfix/persistence';

/**
 * Turns a command that did not succeed into a failure reason and a sentence for a support
 * engineer. Pure, so it is unit-tested.
 */
export function describeCommandFailure(run: CommandRunEntity): { reason: FailureReason; detail: string } {
  const stderr = run.stderrExcerpt ?? '';
  const what = `${run.scriptName} (command ${run.commandId ?? 'not sent'})`;
  if (/'powershell(\.exe)?' is not recognized/i.test(stderr)) {
    return {
      reason: 'unsupported_os',
      detail:
        'PowerShell is not installed on this server (Windows Server 2008 ships without it). rdpfix needs PowerShell 2.0 (WMF 2.0); ' +
        'install it, or use the VNC console and follow docs/runbook.md by hand.',
    };
  }
  switch (run.status) {
    case 'timed_out':
      return { reason: 'command_timed_out', detail: `${what} did not finish within its time limit and was stopped.` };
    case 'undelivered':
      return {
        reason: 'command_undelivered',
        detail: `${what} was never delivered: the guest agent did not pick it up (${run.providerStatusDetails ?? run.providerStatus ?? 'no status'}). Check the agent, or use the VNC console.`,
      };
    case 'send_outcome_unknown':
      return { reason: 'send_outcome_unknown', detail: run.error ?? `rdpfix cannot tell whether ${what} reached the server; it was not sent again.` };
    case 'rejected':
      return { reason: 'channel_error', detail: `The command channel refused ${what}: ${run.error ?? run.providerStatusDetails ?? 'rejected'}.` };
    case 'cancelled':
      return { reason: 'command_failed', detail: `${what} was cancelled on the instance before it completed.` };
    case 'failed': {
      const res = run.result as { error?: string } | null;
      const why = res?.error ?? lastLine(stderr) ?? run.error ?? 'no error text';
      return { reason: 'command_failed', detail: `${what} failed with exit code ${run.exitCode ?? 'unknown'}: ${why}` };
    }
    case 'succeeded':
      return { reason: 'bad_output', detail: `${what} succeeded but its result line could not be read: ${run.error ?? 'no result line'}` };
    default:
      return { reason: 'internal_error', detail: `${what} ended in unexpected status ${run.status}.` };
  }
}

function lastLine(text: string): string | null {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  return lines.length ? lines[lines.length - 1].slice(0, 300) : null;
}
