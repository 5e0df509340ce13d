import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn } from 'class-validator';
import { CATEGORIES, PURPOSES, TRANSFER_FORMS, type Category, type Purpose, type TransferForm } from '@ledger/domain';
import { IsOpaqueId, IsInstant } from '../../http/validators';

/** §3.1–§3.3 — a transfer to a registered recipient; the country comes from the register. */
export class RecordTransferRequest {
  @ApiProperty() @IsOpaqueId() recipientId!: string;
  @ApiProperty({ enum: PURPOSES }) @IsIn(PURPOSES) purpose!: Purpose;

  @ApiProperty({ enum: CATEGORIES, isArray: true })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(CATEGORIES.length) @ArrayUnique() @IsIn(CATEGORIES, { each: true })
  categories!: Category[];

  @ApiProperty({ enum: TRANSFER_FORMS, description: 'identifiable, or pseudonymised by keyed hashing (§3.1)' })
  @IsIn(TRANSFER_FORMS)
  form!: TransferForm;

  @ApiProperty({ example: '2026-11-25T09:00:00Z', description: 'when the data left; not in the future' })
  @IsInstant()
  transferredAt!: string;
}
