import { readFile } from 'node:fs/promises';
import { eventually } from '@herd/testing';
import type { CoursewareView } from '../apps/courseware/src/coursewares/dto/courseware-view.dto';

/** Courseware's HTTP API as the cross-service suites drive it: one courseware at `base`. */
export class CoursewareApi {
  constructor(
    private readonly base: () => string,
    private readonly explain?: () => Promise<string> | string,
  ) {}

  async create(title: string): Promise<string> {
    const response = await fetch(`${this.base()}/coursewares`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as CoursewareView).id;
  }

  async upload(id: string, file: string, field = 'file'): Promise<Response> {
    const form = new FormData();
    form.set(field, new Blob([await readFile(file)]), 'upload.bin');
    return fetch(`${this.base()}/coursewares/${id}/source`, { method: 'POST', body: form });
  }

  async publish(id: string): Promise<void> {
    const response = await fetch(`${this.base()}/coursewares/${id}/publish`, { method: 'POST' });
    expect(response.status).toBe(202);
    expect(((await response.json()) as CoursewareView).status).toBe('PUBLISHING');
  }

  /** Creates a courseware, uploads `file` as its source and publishes it; returns its id. */
  async publishFile(title: string, file: string): Promise<string> {
    const id = await this.create(title);
    expect((await this.upload(id, file)).status).toBe(200);
    await this.publish(id);
    return id;
  }

  async get(id: string): Promise<CoursewareView> {
    return (await (await fetch(`${this.base()}/coursewares/${id}`)).json()) as CoursewareView;
  }

  /** The courseware once its saga has ended, PUBLISHED or REJECTED. */
  settled(id: string, timeoutMs = 120_000): Promise<CoursewareView> {
    return eventually(
      `courseware ${id} leaving PUBLISHING`,
      async () => {
        const current = await this.get(id);
        return current.status === 'PUBLISHING' ? undefined : current;
      },
      { explain: this.explain, timeoutMs, intervalMs: 250 },
    );
  }
}
