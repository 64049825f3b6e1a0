import { OS_FAMILIES, OsFamily } from '@rdpfix/domain';
import { Type } from 'class-transformer';
import { IsIn, IsString, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { PRESET_NAMES, PresetName } from '../../model/presets';
import { IsTagMap } from './cloud-attributes.dto';
import { InstanceOverridesDto } from './instance-overrides.dto';
import { Optional } from './validators';

export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

export class CreateInstanceDto {
  @Optional()
  @Matches(/^i-([0-9a-f]{17}|[a-z0-9]{8,12})$/, { message: 'instanceId must be i- followed by 17 lowercase hex digits (aws) or 8-12 lowercase alphanumerics (jdcloud)' })
  instanceId?: string;
  /** Form of the generated instanceId when none is given: aws (default) or jdcloud. */
  @Optional() @IsIn(['aws', 'jdcloud']) idStyle?: 'aws' | 'jdcloud';
  @IsString() @MinLength(1) @MaxLength(128) tenantId!: string;
  @Matches(REGION_PATTERN, { message: 'region must look like us-east-1' }) region!: string;
  @IsIn(OS_FAMILIES as unknown as string[]) os!: OsFamily;
  @Optional() @IsIn(PRESET_NAMES as unknown as string[]) preset?: PresetName;
  @Optional() @ValidateNested() @Type(() => InstanceOverridesDto) overrides?: InstanceOverridesDto;
  /** Inventory tags of the instance (SimStore.cloud). */
  @Optional() @IsTagMap() tags?: Record<string, string>;
}

export class UpdateInstanceDto {
  @ValidateNested() @Type(() => InstanceOverridesDto) overrides!: InstanceOverridesDto;
}
