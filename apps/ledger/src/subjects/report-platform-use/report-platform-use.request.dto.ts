import { ApiProperty } from '@nestjs/swagger';
import { IsISO8601 } from 'class-validator';

/** §1.4 — when the subject was seen using the Platform (a sign-in, say). */
export class ReportPlatformUseRequest {
  @ApiProperty({ example: '2026-11-25T09:00:00Z' }) @IsISO8601({ strict: true, strictSeparator: true }) at!: string;
}
