/** The broken (and not so broken) servers the demo repairs, and what each request asks for. */
export interface DemoScenario {
  title: string;
  os: string;
  preset: string;
  overrides?: Record<string, unknown>;
  request: Record<string, unknown>;
  /** Approve the reboot through the API when the remediation asks for it. */
  approve?: boolean;
  agentOffline?: boolean;
}

export const DEMO_SCENARIOS: DemoScenario[] = [
  { title: 'one session per user (cause A)', os: '2019', preset: 'cause-a', request: { mode: 'fix' } },
  { title: 'licensing lockout, reboot allowed (cause B)', os: '2022', preset: 'cause-b', request: { mode: 'fix', allowReboot: true } },
  { title: 'both causes, reboot allowed', os: '2016', preset: 'cause-a-and-b', request: { mode: 'fix', allowReboot: true } },
  { title: 'licensing lockout, reboot approved later', os: '2012R2', preset: 'cause-b', request: { mode: 'fix' }, approve: true },
  {
    title: 'licensing lockout, configure licensing',
    os: '2008R2',
    preset: 'cause-b',
    overrides: { domain: { role: 3, partOfDomain: true } },
    request: { mode: 'fix', strategy: 'configure-licensing', licenseServer: 'ls01.corp.example.com', licensingMode: 'per-user' },
  },
  { title: 'healthy server', os: '2025', preset: 'healthy', request: { mode: 'fix' } },
  { title: 'diagnose only (preview)', os: '2019', preset: 'cause-b', request: { mode: 'diagnose' } },
  { title: 'domain controller (must refuse)', os: '2022', preset: 'cause-b', overrides: { domain: { role: 5, partOfDomain: true } }, request: { mode: 'fix', allowReboot: true } },
  { title: 'agent offline', os: '2019', preset: 'cause-b', request: { mode: 'fix' }, agentOffline: true },
];
