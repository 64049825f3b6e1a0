/**
 * Our marker (`rdpfix:<run id>`, ≤ 100 chars) travels in two places of a Cloud Assistant command:
 * verbatim in `commandDescription` (< 256 chars), and as `commandName`, which only allows Chinese,
 * letters, digits, `_`, `-`, `.` and 1–128 chars (DOC-CC) — every other character becomes `.`.
 * Lookups filter by name and then require the description to equal the marker, so two markers
 * that map to the same name can never be confused.
 */
export function commandNameFor(marker: string): string {
  const name = marker.replace(/[^A-Za-z0-9_\-.\u4e00-\u9fa5]/g, '.').slice(0, 128);
  return name === '' ? 'rdpfix' : name;
}
