import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { IsVersion, IsInstant } from '../../http/validators';

/** §1.4 — explicit acceptance, or implied by continued use after 7 calendar days. */
export class AcceptPolicyRequest {
  @ApiProperty({ example: '2026-11' }) @IsVersion() policyVersion!: string;
  @ApiProperty({ enum: ['explicit', 'implied'] }) @IsIn(['explicit', 'implied']) mode!: 'explicit' | 'implied';
  @ApiProperty({ example: '2026-11-25T09:00:00Z', description: 'when the subject accepted, or was seen using the Platform' })
  @IsInstant()
  at!: string;
}
