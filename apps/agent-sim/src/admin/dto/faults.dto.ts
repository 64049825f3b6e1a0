import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsNumber, IsString, Max, Min, ValidateNested } from 'class-validator';
import { Optional, OptionalNullable } from './validators';

export class AgentFlapDto {
  @IsInt() @Min(1) periodMs!: number;
  @IsInt() @Min(0) downMs!: number;
}

/** Per-instance faults: every field optional; absent fields fall back to the global value. */
export class InstanceFaultsDto {
  @Optional() @IsNumber() @Min(0) @Max(1) throttleRate?: number;
  @Optional() @IsNumber() @Min(0) @Max(1) undeliverableRate?: number;
  @Optional() @IsNumber() @Min(0) @Max(1) scriptFailureRate?: number;
  @Optional() @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) hangScripts?: string[];
  @Optional() @IsNumber() @Min(0) @Max(1) garbageOutputRate?: number;
  @Optional() @IsNumber() @Min(0) @Max(1) truncateOutputRate?: number;
  @OptionalNullable() @ValidateNested() @Type(() => AgentFlapDto) agentFlap?: AgentFlapDto | null;
  @Optional() @IsBoolean() agentOffline?: boolean;
  @Optional() @IsNumber() @Min(0) @Max(1) dropSendResponseRate?: number;
  @Optional() @IsInt() @Min(0) @Max(86_400_000) delayListingMs?: number;
  @OptionalNullable() @IsIn(['before', 'after']) holdSends?: 'before' | 'after' | null;
  @Optional() @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) sendFaultScripts?: string[];
}

/** Global faults (PUT replaces them all; absent fields reset to "no fault"). */
export class GlobalFaultsDto extends InstanceFaultsDto {
  @OptionalNullable() @IsNumber() @Min(0.001) @Max(100000) apiRateLimit?: number | null;
}

export class AgentStateDto {
  @IsBoolean() online!: boolean;
}
