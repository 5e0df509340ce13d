import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { RESTRICTION_REASONS, type RestrictionReason } from '@ledger/domain';
import { IsLocalDate } from '../../http/validators';

/** §2.5 — blocking: a temporary stop of collection, use, distribution and destruction. */
export class RestrictProcessingRequest {
  @ApiProperty({ enum: RESTRICTION_REASONS }) @IsIn(RESTRICTION_REASONS) reason!: RestrictionReason;
  @ApiProperty({ example: '2026-11-25' }) @IsLocalDate() requestedOn!: string;
}
