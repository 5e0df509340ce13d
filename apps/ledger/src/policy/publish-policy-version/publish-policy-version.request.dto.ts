import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, Matches } from 'class-validator';
import { IsVersion } from '../../http/validators';

/** §1.4 — a new version of the policy, identified by the hash of its text. */
export class PublishPolicyVersionRequest {
  @ApiProperty({ example: '2026-11' }) @IsVersion() version!: string;
  @ApiProperty({ description: 'SHA-256 of the published text, hex' }) @Matches(/^[0-9a-f]{64}$/) textSha256!: string;
  @ApiPropertyOptional({ description: 'when it was published; defaults to now; never in the future' })
  @IsOptional() @IsISO8601({ strict: true, strictSeparator: true })
  publishedAt?: string;
}
