import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { LICENSING_MODES, LicensingMode, Mode, MODES, Source, SOURCES, Strategy, STRATEGIES } from '@rdpfix/domain';
import { IsCallbackUrl } from '../../common/callback-url.validator';
import { INSTANCE_ID_PATTERN, LICENSE_SERVER_PATTERN, REGION_PATTERN, TICKET_REF_PATTERN } from '../../common/patterns';

export class CreateRemediationDto {
  @ApiProperty({ example: 'i-0abc123def4567890', description: 'EC2-style instance id: i- followed by 8 or 17 hex digits (or mi- + 17 for managed instances).' })
  @IsString()
  @Matches(INSTANCE_ID_PATTERN, { message: 'instanceId must look like i-0abc123def4567890 (i- + 8 or 17 hex digits) or mi- + 17 hex digits' })
  instanceId: string;

  @ApiProperty({ example: 'eu-west-1' })
  @IsString()
  @Matches(REGION_PATTERN, { message: 'region must look like eu-west-1 or cn-north-1' })
  region: string;

  @ApiPropertyOptional({ enum: MODES, default: 'diagnose', description: '`diagnose` is a read-only preview; `fix` changes the server.' })
  @IsOptional()
  @IsIn(MODES as unknown as string[], { message: `mode must be one of: ${MODES.join(', ')}` })
  mode: Mode = 'diagnose';

  @ApiPropertyOptional({ enum: STRATEGIES, default: 'remove-role', description: 'How to repair cause B (licensing lockout).' })
  @IsOptional()
  @IsIn(STRATEGIES as unknown as string[], { message: `strategy must be one of: ${STRATEGIES.join(', ')}` })
  strategy: Strategy = 'remove-role';

  @ApiPropertyOptional({ example: 'ls01.corp.example.com', description: 'Required with strategy configure-licensing: hostname, FQDN or IPv4 address.' })
  @ValidateIf((o: CreateRemediationDto) => o.strategy === 'configure-licensing' || o.licenseServer !== undefined)
  @IsString({ message: 'licenseServer is required with strategy configure-licensing' })
  @MaxLength(64, { message: 'licenseServer must be at most 64 characters (the runbook\'s limit)' })
  @Matches(LICENSE_SERVER_PATTERN, { message: 'licenseServer must be a hostname, FQDN or IPv4 address' })
  licenseServer?: string;

  @ApiPropertyOptional({ enum: LICENSING_MODES, description: 'Required with strategy configure-licensing: the CAL type the customer owns.' })
  @ValidateIf((o: CreateRemediationDto) => o.strategy === 'configure-licensing' || o.licensingMode !== undefined)
  @IsIn(LICENSING_MODES as unknown as string[], { message: `licensingMode must be one of: ${LICENSING_MODES.join(', ')} (required with configure-licensing)` })
  licensingMode?: LicensingMode;

  @ApiPropertyOptional({ default: false, description: 'Consent to reboot when the fix needs it. Without it the remediation waits in awaiting_approval.' })
  @IsOptional()
  @IsBoolean()
  allowReboot: boolean = false;

  @ApiPropertyOptional({ enum: SOURCES, default: 'api' })
  @IsOptional()
  @IsIn(SOURCES as unknown as string[], { message: `source must be one of: ${SOURCES.join(', ')}` })
  source: Source = 'api';

  @ApiPropertyOptional({ example: 'https://tickets.example.com/hooks/rdpfix', maxLength: 2048, description: 'Receives signed webhooks (Standard Webhooks) when approval is needed and when it ends. https only; private and loopback addresses are refused unless allow-listed. Defaults to the API key\'s callback URL.' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @IsCallbackUrl()
  callbackUrl?: string;

  @ApiPropertyOptional({ example: 'TICKET-20261125-0042', maxLength: 128 })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  @Matches(TICKET_REF_PATTERN, { message: 'ticketRef may contain letters, digits and . _ : # / - only' })
  ticketRef?: string;
}
