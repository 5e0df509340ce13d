import { ApiProperty } from '@nestjs/swagger';
import { IsLocalDate, IsSlug } from '../../http/validators';

/** §2.6 — the end of the user agreement starts the three-year retention clock. */
export class TerminateAgreementRequest {
  @ApiProperty({ example: '2026-11-25' }) @IsLocalDate() endedOn!: string;
  @ApiProperty({ example: 'contract-ended' }) @IsSlug() reason!: string;
}
