import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { RETRACTION_CHANNELS, type RetractionChannel } from '@ledger/domain';
import { IsLocalDate } from '../../http/validators';

/** §2.10 — before the period ends, by signing in or by an application. */
export class RetractWithdrawalRequest {
  @ApiProperty({ example: '2026-11-25' }) @IsLocalDate() retractedOn!: string;
  @ApiProperty({ enum: RETRACTION_CHANNELS }) @IsIn(RETRACTION_CHANNELS) via!: RetractionChannel;
}
