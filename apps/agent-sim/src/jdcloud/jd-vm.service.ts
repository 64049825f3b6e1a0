import { Injectable } from '@nestjs/common';
import { AgentService } from '../agent/agent.service';
import { SimInstance } from '../model/instance';
import { SimStore } from '../store/sim-store';
import { JdError, invalidArgument, jdTime, notFound } from './jd-error';
import { JdState } from './jd-state';

const FILTER_NAMES = new Set(['instanceId', 'privateIpAddress', 'az', 'vpcId', 'status', 'name', 'imageId', 'networkInterfaceId', 'subnetId', 'agId', 'faultDomain', 'dedicatedHostId', 'dedicatedPoolId', 'instanceType', 'elasticIpAddress']);

/** The VM calls of the reference (§6) over the same instances: describeInstances, describeInstance, rebootInstance. */
@Injectable()
export class JdVmService {
  constructor(
    private readonly state: JdState,
    private readonly store: SimStore,
    private readonly agent: AgentService,
  ) {}

  /** A restart shows as rebooting while the machine is down (for a guest-initiated restart: not verified). */
  private vmStatus(inst: SimInstance, _now: number): string {
    return this.agent.isRestarting(inst.instanceId) ? 'rebooting' : 'running';
  }

  private view(inst: SimInstance, now: number): Record<string, unknown> {
    return {
      instanceId: inst.instanceId,
      instanceName: inst.computerName,
      hostname: inst.computerName,
      instanceType: 'g.n2.large',
      status: this.vmStatus(inst, now),
      imageId: `img-win${inst.os.toLowerCase()}`,
      az: `${inst.region}a`,
      launchTime: jdTime(Date.parse(inst.createdAt)),
      tags: [{ key: this.state.config.ownerTagKey, value: inst.tenantId }],
      charge: { chargeMode: 'postpaid_by_duration' },
      osType: 'windows',
      osVersion: inst.os,
      platform: 'Windows Server',
      architecture: 'x86_64',
    };
  }

  /** `filters.N.name`, `filters.N.values.M`, `filters.N.operator` (only eq), pageNumber, pageSize [10, 100]. */
  describeInstances(region: string, query: Record<string, unknown>, now: number): Record<string, unknown> {
    const filters = new Map<string, { name?: string; values: string[]; operator?: string }>();
    for (const [k, v] of Object.entries(query)) {
      const m = /^filters\.(\d+)\.(name|operator|values\.(\d+))$/.exec(k);
      if (!m) {
        if (!['pageNumber', 'pageSize', 'tags'].includes(k)) throw invalidArgument(`unknown parameter ${k}`);
        continue;
      }
      if (typeof v !== 'string') throw invalidArgument(`${k} must be given once`);
      const f = filters.get(m[1]) ?? { values: [] };
      if (m[2] === 'name') f.name = v;
      else if (m[2] === 'operator') f.operator = v;
      else f.values[Number(m[3]) - 1] = v;
      filters.set(m[1], f);
    }
    const pageNumber = Number(query.pageNumber ?? 1);
    const pageSize = Number(query.pageSize ?? 20);
    if (!Number.isInteger(pageNumber) || pageNumber < 1) throw invalidArgument('pageNumber must be a positive integer');
    if (!Number.isInteger(pageSize) || pageSize < 10 || pageSize > 100) throw invalidArgument('pageSize must be within [10, 100]');
    let list = this.store.listInstances().filter((i) => i.region === region);
    for (const f of filters.values()) {
      if (!f.name || !FILTER_NAMES.has(f.name)) throw invalidArgument(`unknown filter ${f.name ?? '(no name)'}`);
      if ((f.operator ?? 'eq') !== 'eq') throw invalidArgument(`filter operator ${f.operator} is not modelled`);
      const values = f.values.filter((x) => x !== undefined);
      if (f.name === 'instanceId') list = list.filter((i) => values.includes(i.instanceId));
      else if (f.name === 'status') list = list.filter((i) => values.includes(this.vmStatus(i, now)));
      else if (f.name === 'name') list = list.filter((i) => values.some((v) => i.computerName.includes(v)));
      else list = [];
    }
    return { totalCount: list.length, instances: list.slice((pageNumber - 1) * pageSize, pageNumber * pageSize).map((i) => this.view(i, now)) };
  }

  describeInstance(region: string, id: string, now: number): Record<string, unknown> {
    const inst = this.store.getInstance(id);
    if (!inst || inst.region !== region) throw notFound(`instance ${id} not found`);
    return { instance: this.view(inst, now) };
  }

  /** Only a running VM with no task in progress can be rebooted (DOC-VM-EN). */
  rebootInstance(region: string, id: string, now: number): Record<string, unknown> {
    const inst = this.store.getInstance(id);
    if (!inst || inst.region !== region) throw notFound(`instance ${id} not found`);
    if (this.vmStatus(inst, now) !== 'running' || this.agent.isRestarting(id)) {
      throw new JdError(400, 'FAILED_PRECONDITION', `instance ${id} is not running or has a task in progress`);
    }
    this.agent.restartNow(id);
    return {};
  }
}
