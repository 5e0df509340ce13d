import { ApiProperty } from '@nestjs/swagger';
import { ValidateBy } from 'class-validator';
import { PURPOSES, type Purpose } from '@ledger/domain';
import { IsLocalDate } from '../../http/validators';

const isPurposesOrAll = (v: unknown) =>
  v === 'all'
  || (Array.isArray(v) && v.length >= 1 && v.length <= PURPOSES.length && new Set(v).size === v.length
    && v.every((p) => (PURPOSES as readonly unknown[]).includes(p)));

/** §2.7 withdrawal of consent by written application; §2.10 counts from the day it was received. */
export class WithdrawConsentRequest {
  @ApiProperty({ oneOf: [{ type: 'string', enum: ['all'] }, { type: 'array', items: { type: 'string', enum: [...PURPOSES] } }] })
  @ValidateBy({ name: 'isPurposesOrAll', validator: { validate: isPurposesOrAll, defaultMessage: () => 'purposes must be "all" or a list of §2.3 purposes' } })
  purposes!: Purpose[] | 'all';

  @ApiProperty({ example: '2026-11-25', description: 'the day the application was received (Kazakhstan date, not in the future)' })
  @IsLocalDate()
  receivedOn!: string;
}
