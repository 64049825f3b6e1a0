import { OsFamily } from '@rdpfix/domain';

/** What DescribeInstanceInformation reports as PlatformName per release. */
export const PLATFORM_NAME: Record<OsFamily, string> = {
  '2008': 'Microsoft Windows Server 2008 Datacenter',
  '2008R2': 'Microsoft Windows Server 2008 R2 Datacenter',
  '2012': 'Microsoft Windows Server 2012 Datacenter',
  '2012R2': 'Microsoft Windows Server 2012 R2 Datacenter',
  '2016': 'Microsoft Windows Server 2016 Datacenter',
  '2019': 'Microsoft Windows Server 2019 Datacenter',
  '2022': 'Microsoft Windows Server 2022 Datacenter',
  '2025': 'Microsoft Windows Server 2025 Datacenter',
};

/** Old releases run the last agent that still supports them; newer ones a current agent. */
export const DEFAULT_AGENT_VERSION: Record<OsFamily, string> = {
  '2008': '2.3.1319.0',
  '2008R2': '3.1.1732.0',
  '2012': '3.3.1957.0',
  '2012R2': '3.3.1957.0',
  '2016': '3.3.1957.0',
  '2019': '3.3.1957.0',
  '2022': '3.3.1957.0',
  '2025': '3.3.1957.0',
};

/** remove-rdsh-role's command path per release (DESIGN §1 B2). */
export function roleRemovalMethod(os: OsFamily): string {
  if (os === '2008') return 'servermanagercmd';
  if (os === '2008R2') return 'remove-windowsfeature';
  return 'uninstall-windowsfeature';
}
