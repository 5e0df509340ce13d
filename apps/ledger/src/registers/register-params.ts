import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsISO31661Alpha2, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { CATEGORIES, ERASURE_REASONS, PURPOSES, TRANSFER_FORMS } from '@ledger/domain';
import { IsAfterFrom, IsInstantOrDate, IsLocalDate, IsOpaqueId, IsVersion, ToDecimalInteger } from '../http/validators';

/** Paging, format and read-your-writes, common to every register. */
export class PageParams {
  @ApiPropertyOptional({ description: 'opaque cursor from the previous page' }) @IsOptional() @IsString() @MaxLength(512) cursor?: string;
  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 }) @IsOptional() @ToDecimalInteger() @IsInt() @Min(1) @Max(1000) limit?: number;
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json', description: 'csv streams every matching row, not one page' })
  @IsOptional() @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
  @ApiPropertyOptional({ description: 'wait until the read models include this global position (from a command response); past the event store\'s head, 400 POSITION_NOT_WRITTEN' })
  @IsOptional() @Matches(/^\d{1,19}$/)
  minPosition?: string;
}

const CONSENT_STATUSES = ['active', 'lapsed', 'withdrawn', 'achieved'];
const ERASURE_STATUSES = ['scheduled', 'started', 'shredded', 'completed', 'cancelled', 'overdue'];

export class ConsentParams extends PageParams {
  @ApiPropertyOptional() @IsOptional() @IsOpaqueId() subjectId?: string;
  @ApiPropertyOptional({ enum: PURPOSES }) @IsOptional() @IsIn(PURPOSES) purpose?: string;
  @ApiPropertyOptional({ enum: CONSENT_STATUSES, description: '`lapsed`: active but past its validUntil (Kazakhstan date), so no basis' })
  @IsOptional() @IsIn(CONSENT_STATUSES)
  status?: string;
}

export class ErasureParams extends PageParams {
  @ApiPropertyOptional() @IsOptional() @IsOpaqueId() subjectId?: string;
  @ApiPropertyOptional({ enum: ERASURE_REASONS }) @IsOptional() @IsIn(ERASURE_REASONS) reason?: string;
  @ApiPropertyOptional({ enum: ERASURE_STATUSES })
  @IsOptional() @IsIn(ERASURE_STATUSES)
  status?: 'scheduled' | 'started' | 'shredded' | 'completed' | 'cancelled' | 'overdue';
  @ApiPropertyOptional({ example: '2027-01-31' }) @IsOptional() @IsLocalDate() dueBefore?: string;
}

export class TransferParams extends PageParams {
  @ApiPropertyOptional() @IsOptional() @IsOpaqueId() subjectId?: string;
  @ApiPropertyOptional() @IsOptional() @IsOpaqueId() recipientId?: string;
  @ApiPropertyOptional({ example: 'DE' }) @IsOptional() @IsISO31661Alpha2() country?: string;
  @ApiPropertyOptional({ type: Boolean })
  @IsOptional() @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value)) @IsBoolean()
  crossBorder?: boolean;
  @ApiPropertyOptional({ enum: PURPOSES }) @IsOptional() @IsIn(PURPOSES) purpose?: string;
  @ApiPropertyOptional({ enum: CATEGORIES }) @IsOptional() @IsIn(CATEGORIES) category?: string;
  @ApiPropertyOptional({ enum: TRANSFER_FORMS }) @IsOptional() @IsIn(TRANSFER_FORMS) form?: string;
  @ApiPropertyOptional({ description: 'transferred at or after: an instant with its offset, or a date (from the start of that day in Kazakhstan, UTC+5)', example: '2026-11-01' })
  @IsOptional() @IsInstantOrDate() from?: string;
  @ApiPropertyOptional({ description: 'transferred before: an instant with its offset, or a date (before the start of that day in Kazakhstan, UTC+5); after `from`', example: '2026-12-01' })
  @IsOptional() @IsInstantOrDate() @IsAfterFrom() to?: string;
}

const AGREEMENT_STATES = ['none', 'active', 'suspended', 'terminated'];

export class SubjectParams extends PageParams {
  @ApiPropertyOptional({ enum: ['active', 'erased'], description: '`erased`: the data key is destroyed (§2.10)' })
  @IsOptional() @IsIn(['active', 'erased'])
  status?: 'active' | 'erased';
  @ApiPropertyOptional({ enum: AGREEMENT_STATES, description: '§2.7: a withdrawal suspends or terminates the agreement' })
  @IsOptional() @IsIn(AGREEMENT_STATES)
  agreementState?: 'none' | 'active' | 'suspended' | 'terminated';
  @ApiPropertyOptional({ type: Boolean, description: 'processing blocked (§2.5)' })
  @IsOptional() @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value)) @IsBoolean()
  restricted?: boolean;
  @ApiPropertyOptional({ description: 'the policy version in force for the subject (§1.4)', example: '2026-01' })
  @IsOptional() @IsVersion()
  policyVersion?: string;
}

export class RetentionParams extends PageParams {
  @ApiPropertyOptional({ example: '2030-01-01' }) @IsOptional() @IsLocalDate() endsBefore?: string;
}
