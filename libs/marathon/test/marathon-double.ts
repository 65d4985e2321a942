import { randomUUID } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { DEPLOYMENT_ID_HEADER, MarathonDeploymentAction, validateAppDefinition } from '../src';

/**
 * A Marathon test DOUBLE, not Marathon: an HTTP server on 127.0.0.1 that answers the v2 REST
 * calls Herd makes the way Marathon documents them, with simulated tasks instead of Mesos. See
 * this lib's README for what it covers and what it does not.
 */
export interface MarathonDoubleOptions {
  /** Default 0: a free port. */
  readonly port?: number;
  /** Staging → running. Default 300 ms. */
  readonly taskStartMs?: number;
  /** Running → first health check passed. Default 300 ms. */
  readonly healthyAfterMs?: number;
  /** Simulation step. Default 50 ms. */
  readonly tickMs?: number;
  /** Require HTTP basic auth with these credentials. */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** Tasks of these images (`repo:tag`) run but never pass a health check. */
  readonly brokenImages?: readonly string[];
}

type Json = Record<string, unknown>;

interface Task {
  readonly id: string;
  readonly configVersion: string;
  /** The app version the task was launched with. */
  readonly version: string;
  readonly image: string;
  readonly stagedAt: number;
  running: boolean;
  healthy?: boolean;
}

interface StoredVersion {
  readonly definition: Json;
  readonly version: string;
  readonly versionInfo: { lastScalingAt: string; lastConfigChangeAt: string };
}

interface App {
  current: StoredVersion;
  readonly history: StoredVersion[];
  tasks: Task[];
}

interface Deployment {
  readonly id: string;
  readonly version: string;
  readonly appId: string;
  readonly action: MarathonDeploymentAction;
  /** What a non-forced DELETE /v2/deployments/{id} rolls back to. */
  readonly original?: StoredVersion;
  maxCapacity: number;
}

/** Marathon's JSON error bodies. */
const locked = (ids: string[]) => ({
  message: `App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/${ids[0]}'.`,
  deployments: ids.map((id) => ({ id })),
});

export class MarathonDouble {
  /** Every request, in order: what a test asserts the client did. */
  readonly requests: Array<{ readonly method: string; readonly path: string }> = [];
  private readonly server: Server;
  private readonly apps = new Map<string, App>();
  private readonly deployments: Deployment[] = [];
  private readonly brokenImages: Set<string>;
  private timer?: NodeJS.Timeout;
  private lastVersion = 0;

  constructor(private readonly options: MarathonDoubleOptions = {}) {
    this.brokenImages = new Set(options.brokenImages ?? []);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: Error) =>
        send(res, 500, { message: `double: ${error.message}` }),
      );
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, '127.0.0.1', resolve);
    });
    this.timer = setInterval(() => this.tick(), this.options.tickMs ?? 50);
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://double');
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: `${url.pathname}${url.search}` });
    if (!this.authorized(req)) {
      res.setHeader('WWW-Authenticate', 'Basic realm="Mesosphere Marathon"');
      return send(res, 401, { message: 'Invalid username or password.' });
    }
    const force = url.searchParams.get('force') === 'true';
    const path = url.pathname.replace(/\/+$/, '');
    const body = method === 'POST' || method === 'PUT' ? await readJson(req) : undefined;
    if (body === INVALID_JSON) return send(res, 400, { message: 'Invalid JSON' });

    if (path === '/v2/info' && method === 'GET') {
      return send(res, 200, { name: 'marathon-double', version: '1.10.x (double)' });
    }
    if (path === '/v2/deployments' && method === 'GET') {
      return send(
        res,
        200,
        this.deployments.map((d) => this.deploymentJson(d)),
      );
    }
    const deployment = /^\/v2\/deployments\/([^/]+)$/.exec(path);
    if (deployment && method === 'DELETE') return this.cancel(res, deployment[1], force);
    if (path === '/v2/apps' && method === 'GET') {
      return send(res, 200, { apps: [...this.apps.keys()].map((id) => this.appJson(id)) });
    }
    if (path === '/v2/apps' && method === 'POST') return this.create(res, body as Json, 201);

    const match = /^\/v2\/apps(\/.+?)(\/restart|\/versions(?:\/([^/]+))?)?$/.exec(path);
    if (!match) return send(res, 404, { message: `double: no route ${method} ${path}` });
    const [, id, suffix, version] = match;
    const app = this.apps.get(id);
    if (!suffix && method === 'PUT') {
      if (!app) return this.create(res, { ...(body as Json), id }, 201);
      return this.update(res, id, body as Json, force);
    }
    if (!app) return send(res, 404, { message: `App '${id}' does not exist` });
    if (!suffix && method === 'GET') return send(res, 200, { app: this.appJson(id) });
    if (suffix === '/restart' && method === 'POST') return this.restart(res, id, force);
    if (suffix === '/versions' && method === 'GET') {
      return send(res, 200, { versions: app.history.map((v) => v.version).reverse() });
    }
    if (version !== undefined && method === 'GET') {
      const stored = app.history.find((v) => v.version === decodeURIComponent(version));
      if (!stored) {
        return send(res, 404, { message: `App '${id}' does not exist in version ${version}` });
      }
      return send(res, 200, {
        ...stored.definition,
        version: stored.version,
        versionInfo: stored.versionInfo,
      });
    }
    return send(res, 405, { message: `double: ${method} not allowed on ${path}` });
  }

  private authorized(req: IncomingMessage): boolean {
    const expected = this.options.credentials;
    if (!expected) return true;
    const basic = `Basic ${Buffer.from(`${expected.username}:${expected.password}`).toString('base64')}`;
    return req.headers.authorization === basic;
  }

  private create(res: ServerResponse, definition: Json, status: number): void {
    if (!this.valid(res, definition)) return;
    const id = definition.id as string;
    if (this.apps.has(id)) {
      return send(res, 409, { message: `An app with id [${id}] already exists.` });
    }
    const version = this.nextVersion();
    const stored: StoredVersion = {
      definition: withDefaults(definition),
      version,
      versionInfo: { lastScalingAt: version, lastConfigChangeAt: version },
    };
    this.apps.set(id, { current: stored, history: [stored], tasks: [] });
    const deployment = this.startDeployment(id, 'StartApplication', version);
    res.setHeader('Location', `/v2/apps${id}`);
    res.setHeader(DEPLOYMENT_ID_HEADER, deployment.id);
    send(res, status, { ...this.appJson(id), deployments: [{ id: deployment.id }] });
  }

  private update(res: ServerResponse, id: string, change: Json, force: boolean): void {
    const app = this.apps.get(id) as App;
    // Marathon's PUT is a partial update: fields left out keep their value.
    const definition = withDefaults({ ...app.current.definition, ...change, id });
    if (!this.valid(res, definition) || !this.unlocked(res, id, force)) return;
    const version = this.nextVersion();
    const configChanged =
      JSON.stringify({ ...definition, instances: 0 }) !==
      JSON.stringify({ ...app.current.definition, instances: 0 });
    const original = app.current;
    app.current = {
      definition,
      version,
      versionInfo: {
        lastScalingAt: version,
        lastConfigChangeAt: configChanged ? version : original.versionInfo.lastConfigChangeAt,
      },
    };
    app.history.push(app.current);
    const action = configChanged ? 'RestartApplication' : 'ScaleApplication';
    this.reply(res, this.startDeployment(id, action, version, original));
  }

  private restart(res: ServerResponse, id: string, force: boolean): void {
    if (!this.unlocked(res, id, force)) return;
    const app = this.apps.get(id) as App;
    const version = this.nextVersion();
    const original = app.current;
    // A restart is a new version of the same configuration: every task gets replaced.
    app.current = {
      definition: original.definition,
      version,
      versionInfo: { lastScalingAt: version, lastConfigChangeAt: version },
    };
    app.history.push(app.current);
    this.reply(res, this.startDeployment(id, 'RestartApplication', version, original));
  }

  private cancel(res: ServerResponse, deploymentId: string, force: boolean): void {
    const index = this.deployments.findIndex((d) => d.id === deploymentId);
    if (index < 0) {
      return send(res, 404, { message: `DeploymentPlan ${deploymentId} does not exist` });
    }
    const [cancelled] = this.deployments.splice(index, 1);
    if (force) return send(res, 202, {});
    // Without force Marathon rolls the app back to where the deployment started from.
    const app = this.apps.get(cancelled.appId) as App;
    const version = this.nextVersion();
    const original = cancelled.original ?? app.current;
    app.current = {
      ...original,
      version,
      versionInfo: { ...original.versionInfo, lastScalingAt: version },
    };
    app.history.push(app.current);
    this.reply(res, this.startDeployment(cancelled.appId, 'RestartApplication', version));
  }

  private valid(res: ServerResponse, definition: Json): boolean {
    const details = validateAppDefinition(definition);
    if (details.length) send(res, 422, { message: 'Object is not valid', details });
    return details.length === 0;
  }

  private unlocked(res: ServerResponse, id: string, force: boolean): boolean {
    const holding = this.deployments.filter((d) => d.appId === id);
    if (holding.length && !force) {
      send(res, 409, locked(holding.map((d) => d.id)));
      return false;
    }
    // Forced: the running deployment is cancelled where it stands; its tasks stay as they are.
    holding.forEach((d) => this.deployments.splice(this.deployments.indexOf(d), 1));
    return true;
  }

  private reply(res: ServerResponse, deployment: Deployment): void {
    res.setHeader(DEPLOYMENT_ID_HEADER, deployment.id);
    send(res, 200, { deploymentId: deployment.id, version: deployment.version });
  }

  private startDeployment(
    appId: string,
    action: MarathonDeploymentAction,
    version: string,
    original?: StoredVersion,
  ): Deployment {
    const app = this.apps.get(appId) as App;
    const { minHealthy, maxCapacity } = this.capacity(app);
    // Marathon's restart strategy: when no instance may be lost and none may be added, one
    // extra is allowed anyway, or the upgrade could never start.
    const stuck = minHealthy === maxCapacity && maxCapacity <= app.tasks.length;
    const deployment: Deployment = {
      id: randomUUID(),
      version,
      appId,
      action,
      original,
      maxCapacity: stuck ? maxCapacity + 1 : maxCapacity,
    };
    this.deployments.push(deployment);
    return deployment;
  }

  private capacity(app: App) {
    const definition = app.current.definition;
    const instances = definition.instances as number;
    const strategy = definition.upgradeStrategy as Json;
    const minHealthy = Math.ceil(instances * (strategy.minimumHealthCapacity as number));
    const maxCapacity = Math.floor(instances * (1 + (strategy.maximumOverCapacity as number)));
    return { instances, minHealthy, maxCapacity };
  }

  private configVersion(app: App): string {
    return app.current.versionInfo.lastConfigChangeAt;
  }

  private tick(): void {
    const now = Date.now();
    const startMs = this.options.taskStartMs ?? 300;
    const healthyMs = this.options.healthyAfterMs ?? 300;
    for (const app of this.apps.values()) {
      for (const task of app.tasks) {
        if (!task.running && now - task.stagedAt >= startMs) task.running = true;
        if (
          task.running &&
          task.healthy === undefined &&
          now - task.stagedAt >= startMs + healthyMs
        ) {
          task.healthy = !this.brokenImages.has(task.image);
        }
      }
    }
    for (const deployment of [...this.deployments]) this.advance(deployment);
  }

  /** One step of a deployment; it leaves /v2/deployments only when its target is healthy. */
  private advance(deployment: Deployment): void {
    const app = this.apps.get(deployment.appId) as App;
    const { instances, minHealthy } = this.capacity(app);
    const target = this.configVersion(app);
    if (deployment.action === 'RestartApplication' || deployment.action === 'StartApplication') {
      const current = app.tasks.filter((t) => t.configVersion === target);
      // Unhealthy old instances go first; a healthy one only while the healthy minimum holds.
      const old = app.tasks
        .filter((t) => t.configVersion !== target)
        .sort((a, b) => Number(a.healthy === true) - Number(b.healthy === true));
      let healthy = app.tasks.filter((t) => t.healthy === true).length;
      const retired = old.filter((task) => {
        if (task.healthy !== true) return true;
        if (healthy - 1 < minHealthy) return false;
        healthy--;
        return true;
      });
      this.kill(app, retired);
      for (
        let n = current.length;
        n < instances && app.tasks.length < deployment.maxCapacity;
        n++
      ) {
        this.launch(app);
      }
    } else {
      const excess = app.tasks.length - instances;
      if (excess > 0) this.kill(app, this.killOrder(app, app.tasks).slice(0, excess));
      while (app.tasks.length < instances) this.launch(app);
    }
    const done =
      app.tasks.length === instances &&
      app.tasks.every((t) => t.healthy === true) &&
      (deployment.action === 'ScaleApplication' ||
        app.tasks.every((t) => t.configVersion === target));
    if (done) this.deployments.splice(this.deployments.indexOf(deployment), 1);
  }

  private killOrder(app: App, tasks: Task[]): Task[] {
    const youngestFirst =
      (app.current.definition.killSelection ?? 'YoungestFirst') === 'YoungestFirst';
    return [...tasks].sort((a, b) =>
      youngestFirst ? b.stagedAt - a.stagedAt : a.stagedAt - b.stagedAt,
    );
  }

  private launch(app: App): void {
    const image = ((app.current.definition.container as Json)?.docker as Json)?.image as string;
    app.tasks.push({
      id: `${(app.current.definition.id as string).slice(1).replace(/\//g, '_')}.${randomUUID()}`,
      configVersion: this.configVersion(app),
      version: app.current.version,
      image,
      stagedAt: Date.now(),
      running: false,
    });
  }

  private kill(app: App, tasks: readonly Task[]): void {
    app.tasks = app.tasks.filter((t) => !tasks.includes(t));
  }

  private appJson(id: string): Json {
    const app = this.apps.get(id) as App;
    return {
      ...app.current.definition,
      version: app.current.version,
      versionInfo: app.current.versionInfo,
      tasksStaged: app.tasks.filter((t) => !t.running).length,
      tasksRunning: app.tasks.filter((t) => t.running).length,
      tasksHealthy: app.tasks.filter((t) => t.healthy === true).length,
      tasksUnhealthy: app.tasks.filter((t) => t.healthy === false).length,
      deployments: this.deployments.filter((d) => d.appId === id).map((d) => ({ id: d.id })),
      tasks: app.tasks.map((t) => ({
        id: t.id,
        appId: id,
        host: '127.0.0.1',
        state: t.running ? 'TASK_RUNNING' : 'TASK_STAGING',
        version: t.version,
        stagedAt: new Date(t.stagedAt).toISOString(),
        healthCheckResults: t.healthy === undefined ? [] : [{ alive: t.healthy, taskId: t.id }],
      })),
    };
  }

  private deploymentJson(d: Deployment): Json {
    const actions = [{ action: d.action, app: d.appId }];
    return {
      id: d.id,
      version: d.version,
      affectedApps: [d.appId],
      affectedPods: [],
      steps: [{ actions }],
      currentActions: actions.map((a) => ({ ...a, readinessCheckResults: [] })),
      currentStep: 1,
      totalSteps: 1,
    };
  }

  /** Marathon versions are ISO timestamps; two changes in one millisecond still get two. */
  private nextVersion(): string {
    this.lastVersion = Math.max(Date.now(), this.lastVersion + 1);
    return new Date(this.lastVersion).toISOString();
  }
}

/** Marathon fills in what a definition leaves out; these are the defaults its RAML documents. */
function withDefaults(definition: Json): Json {
  return {
    instances: 1,
    cpus: 1,
    mem: 128,
    upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 1 },
    killSelection: 'YoungestFirst',
    ...definition,
  };
}

const INVALID_JSON = Symbol('invalid json');

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    return INVALID_JSON;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
