import {
  MarathonApp,
  MarathonAppDefinition,
  MarathonDeployment,
  MarathonDeploymentResult,
  MarathonErrorBody,
} from '../definitions/marathon-app.interface';
import { DEPLOYMENT_ID_HEADER, MARATHON_DEFAULTS } from '../marathon.constants';
import { MarathonAuthError } from '../errors/marathon-auth.error';
import { MarathonInvalidDefinitionError } from '../errors/marathon-invalid-definition.error';
import { MarathonLockedError } from '../errors/marathon-locked.error';
import { MarathonNotFoundError } from '../errors/marathon-not-found.error';
import { MarathonRequestError } from '../errors/marathon-request.error';
import { MarathonUnreachableError } from '../errors/marathon-unreachable.error';

export interface MarathonClientOptions {
  /** Marathon's base URL, e.g. `http://marathon.mesos:8080`; user:password in it become basic auth. */
  readonly url: string;
  /** HTTP basic auth (Marathon's `--http_credentials`). */
  readonly username?: string;
  readonly password?: string;
  /** DC/OS-style `Authorization: token=<token>` instead of basic auth. */
  readonly token?: string;
  /** Per request. Default 10000 ms. */
  readonly requestTimeoutMs?: number;
}

export interface ChangeOptions {
  /** `?force=true`: cancel the deployment holding the app's lock and start this one. */
  readonly force?: boolean;
}

/**
 * A small client for the parts of Marathon's v2 REST API a deployment needs. Credentials go in
 * the Authorization header only: no message, error or URL this client builds contains them.
 */
export class MarathonClient {
  /** The base URL without credentials: safe to print. */
  readonly origin: string;
  private readonly authorization?: string;
  private readonly timeoutMs: number;

  constructor(options: MarathonClientOptions) {
    const url = new URL(options.url);
    const username = options.username ?? decodeURIComponent(url.username);
    const password = options.password ?? decodeURIComponent(url.password);
    url.username = '';
    url.password = '';
    this.origin = url.toString().replace(/\/$/, '');
    if (options.token) this.authorization = `token=${options.token}`;
    else if (username)
      this.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    this.timeoutMs = options.requestTimeoutMs ?? MARATHON_DEFAULTS.requestTimeoutMs;
  }

  async listApps(): Promise<MarathonApp[]> {
    return (await this.request<{ apps: MarathonApp[] }>('GET', '/v2/apps')).body.apps;
  }

  async getApp(id: string): Promise<MarathonApp> {
    return (await this.request<{ app: MarathonApp }>('GET', `/v2/apps${appPath(id)}`)).body.app;
  }

  /** The app, or undefined when Marathon has no app with this id. */
  async findApp(id: string): Promise<MarathonApp | undefined> {
    try {
      return await this.getApp(id);
    } catch (error) {
      if (error instanceof MarathonNotFoundError) return undefined;
      throw error;
    }
  }

  /** POST /v2/apps: 201 with the app; its first deployment is named by the header. */
  async createApp(definition: MarathonAppDefinition): Promise<MarathonDeploymentResult> {
    const { body, deploymentId } = await this.request<MarathonApp>('POST', '/v2/apps', definition);
    return { deploymentId: deploymentId ?? body.deployments[0].id, version: body.version };
  }

  /** PUT /v2/apps/{id}: a full definition, `{ instances }` to scale, or a restored version. */
  async updateApp(
    id: string,
    change: Partial<MarathonAppDefinition>,
    options: ChangeOptions = {},
  ): Promise<MarathonDeploymentResult> {
    return this.change('PUT', `/v2/apps${appPath(id)}`, change, options);
  }

  async restartApp(id: string, options: ChangeOptions = {}): Promise<MarathonDeploymentResult> {
    return this.change('POST', `/v2/apps${appPath(id)}/restart`, undefined, options);
  }

  /** Newest first, as Marathon lists them. */
  async listVersions(id: string): Promise<string[]> {
    return (await this.request<{ versions: string[] }>('GET', `/v2/apps${appPath(id)}/versions`))
      .body.versions;
  }

  async getVersion(id: string, version: string): Promise<MarathonApp> {
    const path = `/v2/apps${appPath(id)}/versions/${encodeURIComponent(version)}`;
    return (await this.request<MarathonApp>('GET', path)).body;
  }

  async listDeployments(): Promise<MarathonDeployment[]> {
    return (await this.request<MarathonDeployment[]>('GET', '/v2/deployments')).body;
  }

  private async change(
    method: string,
    path: string,
    body: unknown,
    options: ChangeOptions,
  ): Promise<MarathonDeploymentResult> {
    const response = await this.request<MarathonDeploymentResult>(
      method,
      options.force ? `${path}?force=true` : path,
      body,
    );
    return { ...response.body, deploymentId: response.deploymentId ?? response.body.deploymentId };
  }

  private async request<T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ body: T; deploymentId?: string }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.authorization) headers.authorization = this.authorization;
    let response: Response;
    try {
      response = await fetch(`${this.origin}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause =
        (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new MarathonUnreachableError(method, path, this.origin, cause);
    }
    const text = await response.text();
    const parsed = text ? safeJson(text) : undefined;
    if (response.ok) {
      return {
        body: parsed as T,
        deploymentId: response.headers.get(DEPLOYMENT_ID_HEADER) ?? undefined,
      };
    }
    const error = (
      isErrorBody(parsed) ? parsed : { message: text.slice(0, 200) }
    ) as MarathonErrorBody;
    switch (response.status) {
      case 401:
      case 403:
        throw new MarathonAuthError(method, path, response.status, error);
      case 404:
        throw new MarathonNotFoundError(method, path, error);
      case 409:
        throw new MarathonLockedError(method, path, error);
      case 422:
        throw new MarathonInvalidDefinitionError(
          'marathon',
          error.details ?? [{ path: '/', errors: [error.message] }],
        );
      default:
        throw new MarathonRequestError(method, path, response.status, error);
    }
  }
}

function appPath(id: string): string {
  return id.startsWith('/') ? id : `/${id}`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isErrorBody(value: unknown): value is MarathonErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as MarathonErrorBody).message === 'string'
  );
}
