import { Controller, Get, Header, MessageEvent, Sse } from '@nestjs/common';
import { Observable, map } from 'rxjs';
import { HerdSnapshot } from '../herd/herd-snapshot';
import { HerdWatchService } from '../herd/herd-watch.service';
import { SHEPHERD_PAGE } from './shepherd-page';

/** The operators' page: one HTML document that follows /herd/events. */
@Controller()
export class ViewController {
  constructor(private readonly watch: HerdWatchService) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  page(): string {
    return SHEPHERD_PAGE;
  }

  /** The herd as of the last cycle. */
  @Get('herd')
  herd(): Promise<HerdSnapshot> {
    return this.watch.current();
  }

  /** Server-sent events: the last snapshot at once, then one per cycle. */
  @Sse('herd/events')
  events(): Observable<MessageEvent> {
    return this.watch.changes.pipe(map((snapshot) => ({ type: 'herd', data: snapshot })));
  }
}
