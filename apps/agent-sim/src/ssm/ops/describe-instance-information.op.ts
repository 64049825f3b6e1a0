import { Injectable } from '@nestjs/common';
import { OS_VERSION } from '@rdpfix/domain';
import { AgentService } from '../../agent/agent.service';
import { epochSeconds } from '../../common/time';
import { SimInstance } from '../../model/instance';
import { PLATFORM_NAME } from '../../model/os-catalog';
import { SimStore } from '../../store/sim-store';
import { paginate } from '../pagination';
import { SsmError } from '../ssm-error';
import { SsmInput } from '../ssm-input';
import { SsmCallContext, SsmOperation, inRegion } from '../ssm-operation';

const FILTER_KEYS = ['InstanceIds', 'AgentVersion', 'PingStatus', 'PlatformTypes', 'ResourceType'];
const PING_VALUES = ['Online', 'ConnectionLost', 'Inactive'];

interface Filter {
  key: string;
  values: string[];
}

/** DescribeInstanceInformation: every simulated instance is a managed Windows EC2 instance. */
@Injectable()
export class DescribeInstanceInformationOp implements SsmOperation {
  readonly name = 'DescribeInstanceInformation';

  constructor(
    private readonly store: SimStore,
    private readonly agent: AgentService,
  ) {}

  instanceIdsOf(input: SsmInput): string[] {
    try {
      return this.readFilters(input).flatMap((f) => (f.key === 'InstanceIds' ? f.values : []));
    } catch {
      return [];
    }
  }

  execute(input: SsmInput, ctx: SsmCallContext): Record<string, unknown> {
    const maxResults = input.maxResults(5, 50, 50);
    const filters = this.readFilters(input);
    // Start from the named ids when there are any: fleets can be 100k instances and pollers ask often.
    const idFilter = filters.find((f) => f.key === 'InstanceIds');
    const base = idFilter
      ? [...new Set(idFilter.values)].map((id) => this.store.getInstance(id)).filter((i): i is SimInstance => i !== undefined)
      : this.store.listInstances();
    let items = base.filter((i) => inRegion(i.region, ctx));
    for (const f of filters) items = items.filter(this.matcher(f, ctx.now));
    const query = JSON.stringify(filters);
    const { page, nextToken } = paginate(items, maxResults, input.string('NextToken'), query);
    return {
      InstanceInformationList: page.map((i) => this.view(i, ctx.now)),
      ...(nextToken ? { NextToken: nextToken } : {}),
    };
  }

  /** Filters ({Key, Values}) and the older InstanceInformationFilterList ({key, valueSet}) combine with AND. */
  private readFilters(input: SsmInput): Filter[] {
    const out: Filter[] = [];
    for (const f of input.objectList('Filters') ?? []) out.push(this.filter(f.Key, f.Values, 'Filters'));
    for (const f of input.objectList('InstanceInformationFilterList') ?? []) out.push(this.filter(f.key, f.valueSet, 'InstanceInformationFilterList'));
    return out;
  }

  private filter(key: unknown, values: unknown, member: string): Filter {
    if (typeof key !== 'string' || !Array.isArray(values) || values.some((v) => typeof v !== 'string')) {
      throw new SsmError('SerializationException', `Malformed ${member} entry`);
    }
    if (!FILTER_KEYS.includes(key)) throw new SsmError('InvalidInstanceInformationFilterValue', `The filter key ${key} isn't valid.`);
    if (values.length === 0) throw new SsmError('InvalidInstanceInformationFilterValue', `The filter ${key} needs at least one value.`);
    if (key === 'PingStatus' && values.some((v) => !PING_VALUES.includes(v as string))) {
      throw new SsmError('InvalidInstanceInformationFilterValue', `The filter value isn't valid for PingStatus: ${values.join(', ')}`);
    }
    return { key, values: values as string[] };
  }

  private matcher(f: Filter, now: number): (i: SimInstance) => boolean {
    switch (f.key) {
      case 'InstanceIds':
        return (i) => f.values.includes(i.instanceId);
      case 'PingStatus':
        return (i) => f.values.includes(this.agent.pingStatus(i.instanceId, now));
      case 'PlatformTypes':
        return () => f.values.includes('Windows');
      case 'AgentVersion':
        return (i) => f.values.includes(i.agent.version);
      case 'ResourceType':
        return () => f.values.includes('EC2Instance');
      default:
        return () => true;
    }
  }

  private view(i: SimInstance, now: number): Record<string, unknown> {
    return {
      InstanceId: i.instanceId,
      PingStatus: this.agent.pingStatus(i.instanceId, now),
      LastPingDateTime: epochSeconds(this.agent.lastPingAt(i.instanceId, now)),
      AgentVersion: i.agent.version,
      IsLatestVersion: false,
      PlatformType: 'Windows',
      PlatformName: PLATFORM_NAME[i.os],
      PlatformVersion: OS_VERSION[i.os],
      ResourceType: 'EC2Instance',
      IPAddress: ipFor(i.instanceId),
      ComputerName: i.computerName,
      SourceId: i.instanceId,
      SourceType: 'AWS::EC2::Instance',
    };
  }
}

/** A stable private address derived from the id, so repeated calls agree. */
function ipFor(instanceId: string): string {
  const h = parseInt(instanceId.slice(-6), 16) || 0;
  return `10.${(h >> 16) & 255}.${(h >> 8) & 255}.${h & 255 || 1}`;
}
