import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO31661Alpha2, IsOptional, IsString, Length } from 'class-validator';
import { RECIPIENT_KINDS, type RecipientKind } from '@ledger/domain';
import { IsLocalDate, IsOpaqueId, IsPlainText, IsReference } from '../../http/validators';

/** §2.2, §3.1 — an affiliate, partner or processor; organisations only, never a person. */
export class RegisterRecipientRequest {
  @ApiProperty() @IsOpaqueId() recipientId!: string;
  @ApiProperty({ description: 'the organisation name' }) @IsString() @Length(1, 200) @IsPlainText() name!: string;
  @ApiProperty({ enum: RECIPIENT_KINDS }) @IsIn(RECIPIENT_KINDS) kind!: RecipientKind;
  @ApiProperty({ example: 'KZ', description: 'ISO 3166-1 alpha-2; anything but KZ makes transfers cross-border' })
  @IsISO31661Alpha2()
  country!: string;
}

/** §4.4 — the confidentiality agreement every third party must have signed. */
export class RecordConfidentialityAgreementRequest {
  @ApiProperty() @IsReference() reference!: string;
  @ApiProperty({ example: '2026-01-15' }) @IsLocalDate() signedOn!: string;
  @ApiPropertyOptional() @IsOptional() @IsLocalDate() expiresOn?: string;
}

export class EndConfidentialityAgreementRequest {
  @ApiProperty({ example: '2026-11-25' }) @IsLocalDate() endedOn!: string;
}
