import { Injectable, type OnModuleDestroy } from '@nestjs/common';

/**
 * "Stop intake" flag shared by every Herd lib: once begun, readiness answers 503 and never
 * recovers in this process. Flipped synchronously, first thing, in onModuleDestroy (and earlier,
 * on the signal itself, when Nest's shutdown hooks are enabled: see GracefulShutdownService).
 */
@Injectable()
export class ShutdownState implements OnModuleDestroy {
  private startedAt?: number;
  private reasonText?: string;

  get isShuttingDown(): boolean {
    return this.startedAt !== undefined;
  }

  /** Epoch ms when shutdown began, undefined while serving. */
  get since(): number | undefined {
    return this.startedAt;
  }

  get reason(): string | undefined {
    return this.reasonText;
  }

  begin(reason = 'application shutdown'): void {
    if (this.startedAt !== undefined) return;
    this.startedAt = Date.now();
    this.reasonText = reason;
  }

  onModuleDestroy(): void {
    this.begin();
  }
}
