/**
 * Our correlation token, stored with the command by the provider (SSM Comment ≤ 100 chars; JD
 * Cloud command name and description). One marker per command run: the run id is unique, so a
 * lookup by marker finds this run's command and no other.
 */
export function markerFor(commandRunId: string): string {
  return `rdpfix:${commandRunId}`;
}
