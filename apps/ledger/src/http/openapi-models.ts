import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * Shapes for the OpenAPI document only (docs/openapi.json): what every command answers,
 * and the RFC 9457 problem every error is. Nothing constructs these classes.
 */
export class FieldViolation {
  @ApiProperty({ example: 'purposes.0', description: 'the field; a key the schema does not declare (rule `whitelistValidation`) as sent when it reads like a field name (lower camelCase letters), else `(unknown field)`: a problem echoes no input that could be personal data' }) field!: string;
  @ApiProperty({ type: [String], example: ['isIn'] }) rules!: string[];
}

export class ProblemDetails {
  @ApiProperty({ example: 'urn:privacy-ledger:problem:validation-failed', description: '`urn:privacy-ledger:problem:` and the code, lower-case, hyphenated' })
  type!: string;
  @ApiProperty({ example: 'Bad Request' }) title!: string;
  @ApiProperty({ example: 400 }) status!: number;
  @ApiProperty({
    example: 'VALIDATION_FAILED',
    description: 'stable: clients branch on it, never on `detail`. E.g. VALIDATION_FAILED, MALFORMED_JSON, INVALID_ID, '
      + 'IDEMPOTENCY_KEY_REQUIRED, UNAUTHENTICATED, FORBIDDEN, UNKNOWN_SUBJECT, CONCURRENCY_CONFLICT, IDEMPOTENCY_KEY_REUSED, '
      + 'WITHDRAWAL_REFUSED, ERASURE_PENDING, SUBJECT_ERASED, POSITION_NOT_WRITTEN, READ_MODEL_BEHIND, EXPORTS_BUSY, STORAGE_UNAVAILABLE, SHUTTING_DOWN, INSTANCE_OUTDATED',
  })
  code!: string;
  @ApiPropertyOptional({ description: 'for a person; never quotes a value the caller sent (it may be personal data)' }) detail?: string;
  @ApiPropertyOptional({ example: '§2.8', description: 'the policy clause a refusal (422) rests on' }) clause?: string;
  @ApiPropertyOptional({ example: '/v1/subjects/:subjectId/consents', description: 'the route pattern, never the path requested' }) instance?: string;
  @ApiPropertyOptional({ type: [FieldViolation], description: 'VALIDATION_FAILED: which fields broke which rules' }) errors?: FieldViolation[];
}

export class WrittenEventView {
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ example: 'ConsentGranted' }) type!: string;
  @ApiProperty({ example: '0', description: 'the event\'s revision in its stream (decimal string: 64-bit)' }) revision!: string;
  @ApiProperty({ example: '1042', description: 'global position (decimal string: 64-bit)' }) position!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the event\'s data; a personal-data value shows as { "visible": false }' })
  data!: Record<string, unknown>;
}

export class CommandAccepted {
  @ApiProperty({ example: 'subject-u-1' }) streamId!: string;
  @ApiProperty({ example: '0', description: 'the stream\'s revision after the command: send it as If-Match to detect a concurrent change' }) revision!: string;
  @ApiProperty({ example: '1042', description: 'the global position written: pass it as ?minPosition= to read your own write' }) position!: string;
  @ApiProperty({ description: 'true: a retry with the same Idempotency-Key, answered with the first result; nothing new was written' }) replayed!: boolean;
  @ApiProperty({ type: [WrittenEventView], description: 'the events written (none when the command changed nothing)' }) events!: WrittenEventView[];
}
