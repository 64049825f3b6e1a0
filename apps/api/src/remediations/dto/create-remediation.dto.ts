import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, ValidateIf, registerDecorator, ValidationArguments } from 'class-validator';
import { LICENSING_MODES, LicensingMode, Mode, MODES, Source, SOURCES, Strategy, STRATEGIES, Symptom, SYMPTOMS } from '@rdpfix/domain';
import { IsCallbackUrl } from '../../common/callback-url.validator';
import { IsServedRegion } from '../../common/served-region.validator';
import { INSTANCE_ID_PATTERN, LICENSE_SERVER_PATTERN, REGION_PATTERN, TICKET_REF_PATTERN } from '../../common/patterns';

/** Windows account names: no control characters and none of the characters SAM forbids. */
const ACCOUNT_PATTERN = /^(?:[^\x00-\x1f\x7f"/\\[\]:;|=,+*?<>]{1,15}\\)?[^\x00-\x1f\x7f"/\\[\]:;|=,+*?<>]{1,104}$/;

function fieldRule(name: string, message: string, ok: (value: unknown, obj: Record<string, unknown>) => boolean) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name,
      target: object.constructor,
      propertyName,
      options: { message },
      validator: { validate: (value: unknown, args: ValidationArguments) => ok(value, args.object as Record<string, unknown>) },
    });
}

function RequiresField(other: string, message: string) {
  return fieldRule('requiresField', message, (_v, o) => o[other] !== undefined && o[other] !== null);
}

function SameAsField(other: string, message: string) {
  return fieldRule('sameAsField', message, (v, o) => typeof v === 'string' && v === o[other]);
}

function OnlyWithStrategy(strategy: string, message: string) {
  return fieldRule('onlyWithStrategy', message, (_v, o) => (o.strategy ?? 'remove-role') === strategy);
}

export class CreateRemediationDto {
  @ApiProperty({ example: 'i-0abc123def4567890', description: 'The instance id, checked against the rules of the channel that serves `region` (CHANNEL / CHANNEL_BY_REGION): on AWS SSM i- followed by 8 or 17 hex digits (or mi- + 17 for managed instances); on JD Cloud i- + lowercase letters and digits (i-uvvtdzuxre).' })
  @IsString()
  @Matches(INSTANCE_ID_PATTERN, { message: 'instanceId must look like i-0abc123def4567890 (AWS: i- + 8 or 17 hex digits, or mi- + 17) or i-uvvtdzuxre (JD Cloud)' })
  instanceId: string;

  @ApiProperty({ example: 'eu-west-1', description: 'The region; its channel (CHANNEL_BY_REGION, else CHANNEL) decides the id rules: AWS regions (eu-west-1) for SSM, JD Cloud regions (cn-north-1) for jdcloud.' })
  @IsString()
  @Matches(REGION_PATTERN, { message: 'region must look like eu-west-1 or cn-north-1' })
  @IsServedRegion()
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

  @ApiPropertyOptional({
    enum: SYMPTOMS,
    description:
      'The complaint being repaired. `another-user-logged-on`: a second logon of the same account is refused or takes over its first session. With it, "restrict each user to a single session" is treated as a cause even when nobody holds an active session right now; without it, that Windows default is reported and left alone unless an account holds an active session.',
  })
  @IsOptional()
  @IsIn(SYMPTOMS as unknown as string[], { message: `symptom must be one of: ${SYMPTOMS.join(', ')}` })
  symptom?: Symptom;

  @ApiPropertyOptional({ example: 'CORP\\alice', maxLength: 104, description: 'Only with `symptom`: the account that cannot log on a second time (user, DOMAIN\\user or user@domain). Shown in the diagnosis notes.' })
  @ValidateIf((o: CreateRemediationDto) => o.symptomAccount !== undefined)
  @IsString({ message: 'symptomAccount must be a string' })
  @MaxLength(104, { message: 'symptomAccount must be at most 104 characters' })
  @Matches(ACCOUNT_PATTERN, { message: 'symptomAccount must be an account name (user, DOMAIN\\user or user@domain) without control characters or any of " / [ ] : ; | = , + * ? < >' })
  @RequiresField('symptom', 'symptomAccount is accepted only together with symptom')
  symptomAccount?: string;

  @ApiPropertyOptional({
    example: 'i-0abc123def4567890',
    description:
      'Explicit request to remove the Remote Desktop Session Host role from a server whose RD licensing is configured (a licensing mode and a license server), which rdpfix otherwise refuses (`license_server_unreachable`, `licensing_configured`). Confirm by spelling out this request\'s instanceId. Only with strategy `remove-role`; console keys may not send it (403).',
  })
  @ValidateIf((o: CreateRemediationDto) => o.removeRoleDespiteLicensing !== undefined)
  @IsString({ message: 'removeRoleDespiteLicensing must be the instanceId, spelled out' })
  @SameAsField('instanceId', 'removeRoleDespiteLicensing must repeat this request\'s instanceId exactly (an explicit confirmation)')
  @OnlyWithStrategy('remove-role', 'removeRoleDespiteLicensing is accepted only with strategy remove-role')
  removeRoleDespiteLicensing?: string;
}
