import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { PURPOSES, type Purpose } from '@ledger/domain';
import { IsLocalDate } from '../../http/validators';

/** §2.10 — the storage period ends on the date the purpose was achieved. */
export class RecordPurposeAchievedRequest {
  @ApiProperty({ enum: PURPOSES }) @IsIn(PURPOSES) purpose!: Purpose;
  @ApiProperty({ example: '2026-11-25' }) @IsLocalDate() achievedOn!: string;
}
