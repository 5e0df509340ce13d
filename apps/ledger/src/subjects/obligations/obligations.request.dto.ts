import { ApiProperty } from '@nestjs/swagger';
import { IsOpaqueId, IsReference, IsSlug } from '../../http/validators';

/** §2.8 — an unfulfilled obligation blocks a withdrawal. */
export class OpenObligationRequest {
  @ApiProperty() @IsOpaqueId() obligationId!: string;
  @ApiProperty({ example: 'unpaid-invoice' }) @IsSlug() kind!: string;
}

/** §2.8 — where withdrawal would contradict the law. */
export class PlaceLegalHoldRequest {
  @ApiProperty() @IsOpaqueId() holdId!: string;
  @ApiProperty({ example: 'court' }) @IsSlug() authority!: string;
  @ApiProperty({ example: 'case 2-1234/2026' }) @IsReference() reference!: string;
}
