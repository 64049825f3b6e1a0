import { IsString, Matches, MaxLength, ValidateBy } from 'class-validator';
import { Optional } from './validators';

/** `{ key: value }` with string keys and values (instance tags). */
export function IsTagMap(): PropertyDecorator {
  return ValidateBy({
    name: 'isTagMap',
    validator: {
      validate: (v: unknown) =>
        typeof v === 'object' && v !== null && !Array.isArray(v) && Object.entries(v).every(([k, x]) => k.length >= 1 && k.length <= 128 && typeof x === 'string' && x.length <= 256),
      defaultMessage: (args) => `${args?.property} must map tag keys (1-128 characters) to string values (at most 256)`,
    },
  });
}

/** Cloud-side attributes the inventory reports (tags, platform, EC2 state). */
export class CloudAttributesDto {
  @Optional() @IsTagMap() tags?: Record<string, string>;
  @Optional() @IsString() @MaxLength(32) platform?: string;
  @Optional() @Matches(/^(pending|running|stopping|stopped|shutting-down|terminated)$/, { message: 'state must be an EC2 instance state' }) state?: string;
}
