import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsVersion, IsInstant, Matching } from '../../http/validators';

/** §1.4 — a new version of the policy, identified by the hash of its text. */
export class PublishPolicyVersionRequest {
  @ApiProperty({ example: '2026-11' }) @IsVersion() version!: string;
  @ApiProperty({ description: 'SHA-256 of the published text, hex' }) @Matching(/^[0-9a-f]{64}$/, '$property must be 64 lower-case hex digits') textSha256!: string;
  @ApiPropertyOptional({ description: 'when it was published; defaults to now; never in the future' })
  @IsOptional() @IsInstant()
  publishedAt?: string;
}
