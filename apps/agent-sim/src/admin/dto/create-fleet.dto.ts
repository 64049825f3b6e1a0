import { OS_FAMILIES, OsFamily } from '@rdpfix/domain';
import { Type } from 'class-transformer';
import { IsInt, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { PRESET_NAMES, PresetName } from '../../model/presets';
import { REGION_PATTERN } from './create-instance.dto';
import { IsTagMap } from './cloud-attributes.dto';
import { InstanceOverridesDto } from './instance-overrides.dto';
import { IsWeightMap, Optional } from './validators';

export const MAX_FLEET = 100_000;

export class CreateFleetDto {
  @IsInt() @Min(1) @Max(MAX_FLEET) count!: number;
  @IsString() @MinLength(1) @MaxLength(128) tenantId!: string;
  @Matches(REGION_PATTERN, { message: 'region must look like us-east-1' }) region!: string;
  @IsWeightMap(PRESET_NAMES) mix!: Partial<Record<PresetName, number>>;
  @Optional() @IsWeightMap(OS_FAMILIES) osMix?: Partial<Record<OsFamily, number>>;
  @Optional() @ValidateNested() @Type(() => InstanceOverridesDto) overrides?: InstanceOverridesDto;
  /** Inventory tags given to every instance of the fleet. */
  @Optional() @IsTagMap() tags?: Record<string, string>;
}
