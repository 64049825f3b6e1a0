import { BadRequestException, Injectable } from '@nestjs/common';
import { channelIdRules } from '@rdpfix/channel';
import { AppConfig, parseChannelMap } from '@rdpfix/config';
import type { FieldError } from './errors/error-body';

/**
 * Instance and region ids are checked against the rules of the channel that serves the region
 * (CHANNEL_BY_REGION, else CHANNEL), as the worker will route it: a JD Cloud id on an SSM region
 * (or the reverse) is a 400 naming the field, before anything is written.
 */
@Injectable()
export class ChannelIdValidator {
  private readonly byRegion: Record<string, string>;

  constructor(private readonly config: AppConfig) {
    this.byRegion = config.CHANNEL_BY_REGION ? parseChannelMap(config.CHANNEL_BY_REGION) : {};
  }

  channelFor(region: string): string {
    return this.byRegion[region] ?? this.config.CHANNEL;
  }

  problems(instanceId: string, region: string): FieldError[] {
    const channel = this.channelFor(region);
    const rules = channelIdRules(channel);
    const out: FieldError[] = [];
    if (!rules.region.test(region)) out.push({ field: 'region', message: `region ${region} is not a region of ${channel} (it is served by the ${channel} channel; regions look like ${rules.regionExample})` });
    else if (!rules.instanceId.test(instanceId)) out.push({ field: 'instanceId', message: `instanceId must look like ${rules.instanceIdExample} in region ${region} (served by the ${channel} channel)` });
    return out;
  }

  assertValid(instanceId: string, region: string): void {
    const fields = this.problems(instanceId, region);
    if (fields.length) throw new BadRequestException({ statusCode: 400, error: 'validation_failed', message: fields.map((f) => f.message).join('; '), fields });
  }
}
