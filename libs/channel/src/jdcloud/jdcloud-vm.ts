import { JdcloudHttp, JdcloudHttpOptions } from './jdcloud-http';

/** The VM fields rdpfix reads (GO models/Instance.go). */
export interface JdVmInstance {
  instanceId?: string;
  instanceName?: string;
  hostname?: string;
  status?: string;
  osType?: string;
  osVersion?: string;
  platform?: string;
  az?: string;
  tags?: { key?: string; value?: string }[];
}

/**
 * JD Cloud VM calls (jdcloud-assistant.md §6): describeInstances with an instanceId filter,
 * and rebootInstance (only a running VM with no task in progress can be rebooted).
 */
export class JdcloudVmClient {
  private readonly http: JdcloudHttp;

  constructor(opts: Omit<JdcloudHttpOptions, 'service'>) {
    this.http = new JdcloudHttp({ ...opts, service: 'vm' });
  }

  /** The caller's VMs among `instanceIds` (other accounts' and unknown ids are simply absent). */
  async describeInstances(region: string, instanceIds: string[]): Promise<JdVmInstance[]> {
    const found: JdVmInstance[] = [];
    for (let i = 0; i < instanceIds.length; i += 100) {
      const chunk = instanceIds.slice(i, i + 100);
      for (let page = 1; page <= 100; page++) {
        const query = [
          'filters.1.name=instanceId',
          ...chunk.map((id, n) => `filters.1.values.${n + 1}=${encodeURIComponent(id)}`),
          `pageNumber=${page}`,
          'pageSize=100',
        ].join('&');
        const out = await this.http.call<{ instances?: JdVmInstance[]; totalCount?: number }>(
          region,
          `/v1/regions/${encodeURIComponent(region)}/instances`,
          'describeInstances',
          null,
          { retry: true, method: 'GET', query },
        );
        const got = out.instances ?? [];
        found.push(...got);
        if (got.length < 100 || page * 100 >= (out.totalCount ?? 0)) break;
      }
    }
    return found;
  }

  async rebootInstance(region: string, instanceId: string): Promise<void> {
    // A reboot is not retried blindly: a lost answer to a reboot that happened must not reboot twice.
    await this.http.call(region, `/v1/regions/${encodeURIComponent(region)}/instances/${encodeURIComponent(instanceId)}:rebootInstance`, 'rebootInstance', {}, { retry: false });
  }

  close(): Promise<void> {
    return this.http.close();
  }

  destroy(): Promise<void> {
    return this.http.destroy();
  }
}
