import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { REMEDIATION_STATES, RemediationState } from '@rdpfix/domain';
import { INSTANCE_ID_PATTERN } from '../../common/patterns';

export class ListRemediationsQuery {
  @ApiPropertyOptional({ example: 'i-0abc123def4567890' })
  @IsOptional()
  @Matches(INSTANCE_ID_PATTERN, { message: 'instanceId must look like i-0abc123def4567890 (AWS) or i-uvvtdzuxre (JD Cloud)' })
  instanceId?: string;

  @ApiPropertyOptional({ enum: REMEDIATION_STATES })
  @IsOptional()
  @IsIn(REMEDIATION_STATES as unknown as string[], { message: `state must be one of: ${REMEDIATION_STATES.join(', ')}` })
  state?: RemediationState;

  @ApiPropertyOptional({ example: 'TICKET-20261125-*', description: 'The ticket reference; a trailing `*` searches by prefix (`ZD-77*` finds ZD-77, ZD-771, ZD-77-a …; `_` and `.` match only themselves).' })
  @IsOptional()
  @MaxLength(129)
  @Matches(/^[A-Za-z0-9._:#/-]{1,128}\*?$/, { message: 'ticketRef may contain letters, digits and . _ : # / - only, and may end with * for a prefix search' })
  ticketRef?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(100)
  limit: number = 20;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}
