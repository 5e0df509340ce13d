import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsOptional } from 'class-validator';
import {
  CATEGORIES, CONSENT_CHANNELS, LEGAL_BASES, PURPOSES,
  type Category, type ConsentChannel, type LegalBasis, type Purpose,
} from '@ledger/domain';
import { IsLocalDate, IsVersion } from '../../http/validators';

/** §2.1, §2.3, §2.4, §2.9; Law 94-V Art. 8 (what a consent records). */
export class GrantConsentRequest {
  @ApiProperty({ enum: PURPOSES, isArray: true, description: '§2.3 purposes' })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(PURPOSES.length) @ArrayUnique() @IsIn(PURPOSES, { each: true })
  purposes!: Purpose[];

  @ApiProperty({ enum: CATEGORIES, isArray: true, description: '§2.4 data categories' })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(CATEGORIES.length) @ArrayUnique() @IsIn(CATEGORIES, { each: true })
  categories!: Category[];

  @ApiPropertyOptional({ enum: LEGAL_BASES, default: 'consent', description: '§2.9: a basis other than consent where the law provides' })
  @IsOptional() @IsIn(LEGAL_BASES)
  basis?: LegalBasis;

  @ApiProperty({ example: '2026-01', description: '§2.1 the published policy version the consent is given under' })
  @IsVersion()
  policyVersion!: string;

  @ApiProperty({ enum: CONSENT_CHANNELS })
  @IsIn(CONSENT_CHANNELS)
  channel!: ConsentChannel;

  @ApiProperty({ description: 'may the data go to third parties (§3.1)' }) @IsBoolean() thirdPartyTransfer!: boolean;
  @ApiProperty({ description: 'may the data cross the border (§3.2, Law 94-V Art. 16)' }) @IsBoolean() crossBorderTransfer!: boolean;
  @ApiProperty({ description: 'may the data be published (§2.3(5))' }) @IsBoolean() publication!: boolean;

  @ApiPropertyOptional({ example: '2027-12-31', description: 'last day the consent is valid' })
  @IsOptional() @IsLocalDate()
  validUntil?: string;
}
