/** Windows Server releases rdpfix supports (DESIGN §1). */
export const OS_FAMILIES = ['2008', '2008R2', '2012', '2012R2', '2016', '2019', '2022', '2025'] as const;
export type OsFamily = (typeof OS_FAMILIES)[number];

/**
 * Maps a Windows version string ("major.minor.build") to its Server release.
 * 10.0 covers 2016/2019/2022/2025, told apart by build number (rdp-licensing.md D1).
 */
export function osFamilyFromVersion(version: string): OsFamily | null {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(version.trim());
  if (!m) return null;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const build = m[3] === undefined ? 0 : Number(m[3]);
  if (major === 6 && minor === 0) return '2008';
  if (major === 6 && minor === 1) return '2008R2';
  if (major === 6 && minor === 2) return '2012';
  if (major === 6 && minor === 3) return '2012R2';
  if (major === 10 && minor === 0) {
    if (build >= 26100) return '2025';
    if (build >= 20348) return '2022';
    if (build >= 17763) return '2019';
    if (build >= 14393) return '2016';
    return null;
  }
  return null;
}

/** A representative version string per release, used by the simulator and tests. */
export const OS_VERSION: Record<OsFamily, string> = {
  '2008': '6.0.6003',
  '2008R2': '6.1.7601',
  '2012': '6.2.9200',
  '2012R2': '6.3.9600',
  '2016': '10.0.14393',
  '2019': '10.0.17763',
  '2022': '10.0.20348',
  '2025': '10.0.26100',
};

/** Default PowerShell version per release (rdp-licensing.md §7); null = none installed. */
export const DEFAULT_PS_VERSION: Record<OsFamily, string | null> = {
  '2008': null,
  '2008R2': '2.0',
  '2012': '3.0',
  '2012R2': '4.0',
  '2016': '5.1',
  '2019': '5.1',
  '2022': '5.1',
  '2025': '5.1',
};
