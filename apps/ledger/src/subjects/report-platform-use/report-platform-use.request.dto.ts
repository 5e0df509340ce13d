import { ApiProperty } from '@nestjs/swagger';
import { IsInstant } from '../../http/validators';

/** §1.4 — when the subject was seen using the Platform (a sign-in, say). */
export class ReportPlatformUseRequest {
  @ApiProperty({ example: '2026-11-25T09:00:00Z' }) @IsInstant() at!: string;
}
