import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { Role, ROLES } from '@rdpfix/domain';
import { IsCallbackUrl } from '../../common/callback-url.validator';

export const TENANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class CreateApiKeyDto {
  @ApiProperty({ example: 'zendesk-prod', maxLength: 100 })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/, { message: 'name must be 1-100 letters, digits, spaces, dots, underscores or dashes' })
  name: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES as unknown as string[], { message: `role must be one of: ${ROLES.join(', ')}` })
  role: Role;

  @ApiPropertyOptional({ example: 'tenant-42', description: 'Required for console keys; optional for fleet keys (their campaigns then see only this tenant); refused for others.' })
  @ValidateIf((o: CreateApiKeyDto) => o.role === 'console' || o.tenantId !== undefined)
  @IsString({ message: 'tenantId is required for console keys' })
  @Matches(TENANT_ID_PATTERN, { message: 'tenantId must be 1-64 letters, digits, dots, underscores or dashes' })
  tenantId?: string;

  @ApiPropertyOptional({ example: 'https://tickets.example.com/hooks/rdpfix' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @IsCallbackUrl()
  defaultCallbackUrl?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100000, description: 'Requests per second for this key (default: RATE_LIMIT_PER_SECOND).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100000)
  rateLimitPerSecond?: number;
}
