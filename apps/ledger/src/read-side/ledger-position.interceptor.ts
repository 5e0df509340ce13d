import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, from, mergeMap, tap, throwError, type Observable } from 'rxjs';
import { minPositionOf } from '../http/read-options';
import { RegisterExport } from '../registers/register-output';
import { ReadModelSwitch, ReadYourWrites } from './read-side.module';

/** The response header that says how far the read models behind an answer had got. */
export const LEDGER_POSITION_HEADER = 'Ledger-Position';

/**
 * Sets `Ledger-Position` on every answer read from the read models, so that a register
 * kept as a record — above all a CSV export handed to a regulator — says which point of
 * the history it stands for.
 * - A CSV export is read from one snapshot: the position is exact, every row reflects
 *   exactly the events up to it (HTTP 1.22.0).
 * - Any other answer: the read models had applied every event up to at least that
 *   position before it was read (rows may reflect later events too). The position is read
 *   before the handler runs; a `minPosition` the handler waited for raises it.
 */
@Injectable()
export class LedgerPositionHeader implements NestInterceptor {
  constructor(private readonly readYourWrites: ReadYourWrites, private readonly switcher: ReadModelSwitch) {}

  /**
   * A read that fails because its generation's tables are gone — a rebuild's
   * `--drop-previous` removed the generation before this process's poll moved off it —
   * is answered again from the generation the pointer names now (read at once), instead
   * of a 500. With no other generation current, the failure stands.
   */
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const used = this.switcher.generation;
    return this.answer(context, next).pipe(
      catchError((error: unknown) => from(this.switcher.recover(error, used)).pipe(
        mergeMap((moved) => (moved ? this.answer(context, next) : throwError(() => error))),
      )),
    );
  }

  private answer(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const query = (http.getRequest<FastifyRequest>().query ?? {}) as { minPosition?: string };
    return from(this.readYourWrites.position()).pipe(mergeMap((before) => next.handle().pipe(tap((answer) => {
      // an export read from one snapshot knows exactly where it stands
      if (answer instanceof RegisterExport) {
        void http.getResponse<FastifyReply>().header(LEDGER_POSITION_HEADER, answer.position.toString());
        return;
      }
      // the handler answered, so its pipe validated minPosition and the read models reached it
      const waited = minPositionOf(query) ?? 0n;
      void http.getResponse<FastifyReply>().header(LEDGER_POSITION_HEADER, (waited > before ? waited : before).toString());
    }))));
  }
}
