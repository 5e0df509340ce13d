import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Length } from 'class-validator';
import { CATEGORIES, DATA_SOURCES, type Category, type DataSource } from '@ledger/domain';
import { IsWellFormedText } from '../../http/validators';

/** §2.4, §2.5 — the value is sealed under the subject's key before anything is decided. */
export class RecordPersonalDataRequest {
  @ApiProperty({ enum: CATEGORIES }) @IsIn(CATEGORIES) category!: Category;
  @ApiProperty({ enum: DATA_SOURCES }) @IsIn(DATA_SOURCES) source!: DataSource;
  @ApiProperty({ description: 'the personal-data value; stored only as ciphertext', maxLength: 4096 })
  @IsString() @Length(1, 4096) @IsWellFormedText()
  value!: string;
}
