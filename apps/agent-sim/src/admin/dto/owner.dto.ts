import { IsString, MaxLength, MinLength } from 'class-validator';

/** The new owner of an instance (as when a cloud account transfers it to another tenant). */
export class OwnerDto {
  @IsString() @MinLength(1) @MaxLength(128) tenantId!: string;
}
