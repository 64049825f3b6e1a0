import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
  registerDecorator,
} from 'class-validator';
import { FACT_READS } from '@rdpfix/domain';
import { Optional, OptionalNullable } from './validators';

const SOURCES = ['local', 'policy'];

export class AgentOverridesDto {
  @Optional() @IsBoolean() online?: boolean;
  @Optional() @IsString() @Matches(/^\d+(\.\d+){1,3}$/) version?: string;
}

export class RdshOverridesDto {
  @Optional() @IsBoolean() installed?: boolean;
  @Optional() @IsBoolean() removalPending?: boolean;
}

export class LicensingOverridesDto {
  @Optional() @IsIn([1, 2, 4, 5]) mode?: 1 | 2 | 4 | 5;
  @Optional() @IsIn(SOURCES) modeSource?: 'local' | 'policy';
  @OptionalNullable() @IsIn([1, 2, 4, 5]) policyMode?: 1 | 2 | 4 | 5 | null;
  @Optional() @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) @MinLength(1, { each: true }) servers?: string[];
  @Optional() @IsIn(SOURCES) serversSource?: 'local' | 'policy';
  @OptionalNullable() @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) policyServers?: string[] | null;
  @Optional() @IsLsStatusMap() reachability?: Record<string, number>;
  @OptionalNullable() @IsIn([1, 2, 4, 5]) pendingMode?: 1 | 2 | 4 | 5 | null;
}

export class BinarySettingDto {
  @Optional() @IsIn([0, 1]) value?: 0 | 1;
  @Optional() @IsIn(SOURCES) source?: 'local' | 'policy';
  @OptionalNullable() @IsIn([0, 1]) policyValue?: 0 | 1 | null;
}

export class DomainOverridesDto {
  @Optional() @IsInt() @Min(0) @Max(5) role?: number;
  @Optional() @IsBoolean() partOfDomain?: boolean;
}

export class RdsOverridesDto {
  @Optional() @IsBoolean() broker?: boolean;
  @Optional() @IsBoolean() webAccess?: boolean;
  @Optional() @IsBoolean() gateway?: boolean;
  @Optional() @IsBoolean() licensingRole?: boolean;
  @Optional() @IsBoolean() sessionDirectory?: boolean;
  @Optional() @IsBoolean() lsActivated?: boolean;
  @Optional() @IsInt() @Min(0) @Max(1000) lsCalPacks?: number;
}

export class FirewallOverridesDto {
  @Optional() @IsBoolean() enabled?: boolean;
  @Optional() @IsBoolean() rdpAllowed?: boolean;
}

export class ServicingOverridesDto {
  /** Modelled duration of Uninstall-WindowsFeature, in seconds scaled like execution timeouts. */
  @OptionalNullable() @IsInt() @Min(0) @Max(172800) roleRemovalSeconds?: number | null;
}

export class BootOverridesDto {
  @Optional() @IsInt() @Min(0) @Max(600000) termServiceDelayMs?: number;
  @Optional() @IsInt() @Min(0) @Max(600000) listenerDelayMs?: number;
}

/** License server name -> GetTStoLSConnectivityStatus code; -1 = the status call fails on this server. */
function IsLsStatusMap() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isLsStatusMap',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must map license server names to integer GetTStoLSConnectivityStatus codes (e.g. 11, 6, 8; -1 = the call fails)` },
      validator: {
        validate: (v: unknown) =>
          typeof v === 'object' &&
          v !== null &&
          !Array.isArray(v) &&
          Object.entries(v).every(([k, st]) => k.length > 0 && k.length <= 253 && Number.isInteger(st) && (st as number) >= -1 && (st as number) < 100),
      },
    });
}

/** read name (as in DiagnosisFacts.unknown) -> error text; every key must be a known read. */
function IsReadFailureMap() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isReadFailureMap',
      target: object.constructor,
      propertyName,
      options: { message: `readFailures must map reads (${FACT_READS.join(', ')}) to error texts of at most 200 characters` },
      validator: {
        validate: (v: unknown) =>
          typeof v === 'object' &&
          v !== null &&
          !Array.isArray(v) &&
          Object.entries(v).every(([k, msg]) => (FACT_READS as readonly string[]).includes(k) && typeof msg === 'string' && msg.length <= 200),
      },
    });
}

export class ListenerOverridesDto {
  @Optional() @IsBoolean() up?: boolean;
  @Optional() @IsInt() @Min(1) @Max(65535) port?: number;
}

export class SessionDto {
  @IsString() @Matches(/^[^\s]{1,64}$/, { message: 'username must be 1-64 characters without spaces' }) username!: string;
  @OptionalNullable() @IsString() @Matches(/^[^\s]{1,32}$/) sessionName?: string | null;
  @IsInt() @Min(0) @Max(65535) id!: number;
  @Optional() @IsIn(['Active', 'Disc']) state?: 'Active' | 'Disc';
  @Optional() @IsInt() @Min(0) idleMinutes?: number;
  @Optional() @IsISO8601() logonTime?: string;
}

/** Any modelled field of an instance; nested objects merge, arrays replace. */
export class InstanceOverridesDto {
  @Optional() @IsString() @MinLength(1) @MaxLength(15) computerName?: string;
  @OptionalNullable() @Matches(/^\d\.\d$/, { message: 'psVersion must look like "5.1", or be null for no PowerShell' }) psVersion?: string | null;
  @Optional() @IsBoolean() is64?: boolean;
  @Optional() @ValidateNested() @Type(() => AgentOverridesDto) agent?: AgentOverridesDto;
  @Optional() @IsISO8601() bootTime?: string;
  @Optional() @ValidateNested() @Type(() => RdshOverridesDto) rdsh?: RdshOverridesDto;
  @Optional() @IsInt() @Min(0) @Max(120) graceDays?: number;
  @Optional() @ValidateNested() @Type(() => LicensingOverridesDto) licensing?: LicensingOverridesDto;
  @Optional() @ValidateNested() @Type(() => BinarySettingDto) singleSession?: BinarySettingDto;
  @Optional() @ValidateNested() @Type(() => DomainOverridesDto) domain?: DomainOverridesDto;
  @Optional() @ValidateNested() @Type(() => RdsOverridesDto) rds?: RdsOverridesDto;
  @Optional() @IsBoolean() pendingReboot?: boolean;
  @Optional() @IsBoolean() pendingFileRename?: boolean;
  @Optional() @IsIn(['running', 'stopped']) termService?: 'running' | 'stopped';
  @Optional() @ValidateNested() @Type(() => ListenerOverridesDto) listener?: ListenerOverridesDto;
  @Optional() @ValidateNested() @Type(() => FirewallOverridesDto) firewall?: FirewallOverridesDto;
  @Optional() @IsReadFailureMap() readFailures?: Record<string, string>;
  @Optional() @ValidateNested() @Type(() => ServicingOverridesDto) servicing?: ServicingOverridesDto;
  @Optional() @ValidateNested() @Type(() => BootOverridesDto) boot?: BootOverridesDto;
  @Optional() @ValidateNested() @Type(() => BinarySettingDto) denyConnections?: BinarySettingDto;
  @Optional() @IsArray() @ArrayMaxSize(1000) @ValidateNested({ each: true }) @Type(() => SessionDto) sessions?: SessionDto[];
}
