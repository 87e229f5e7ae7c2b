import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A local stand-in for Xealth's OAuth2 token endpoint and order API, on 127.0.0.1 and a free port:
 *
 * | route | answer |
 * |-------|--------|
 * | `POST /oauth2/token` | `{access_token, expires_in}` (`accessToken`, `expiresIn`) |
 * | `GET /partner/read/order/{deployment}/{orderId}` | the order registered with {@link setOrder}; 404 otherwise; 401 without the issued bearer token |
 *
 * Every request is recorded in {@link requests}.
 */
export interface XealthStubRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** `normal` answers; `error` answers 500 everywhere; `close` destroys every connection. */
export type XealthStubMode = 'normal' | 'error' | 'close';

export class XealthStub {
  mode: XealthStubMode = 'normal';
  accessToken = 'oauth2-token';
  expiresIn = 3600;
  /** When set, the token endpoint answers this status. */
  tokenStatus?: number;
  readonly requests: XealthStubRequest[] = [];
  private readonly orders = new Map<string, unknown>();
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  private constructor() {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => this.answer(request, response, body));
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(): Promise<XealthStub> {
    const stub = new XealthStub();
    await new Promise<void>((resolve) => stub.server.listen(0, '127.0.0.1', () => resolve()));
    return stub;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get tokenUrl(): string {
    return `${this.url}/oauth2/token`;
  }

  /** Registers (or replaces) the order `GET /partner/read/order/{deployment}/{orderId}` answers. */
  setOrder(deployment: string, orderId: string, order: unknown): void {
    this.orders.set(`${deployment}/${orderId}`, order);
  }

  requestsTo(prefix: string): XealthStubRequest[] {
    return this.requests.filter((request) => request.path.startsWith(prefix));
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(request: IncomingMessage, response: ServerResponse, body: string): void {
    const path = (request.url ?? '').split('?')[0];
    this.requests.push({ method: request.method ?? '', path, headers: request.headers, body });
    if (this.mode === 'close') {
      request.socket.destroy();
      return;
    }
    if (this.mode === 'error') return send(response, 500, { error: 'stub failure' });
    if (request.method === 'POST' && path === '/oauth2/token') {
      if (this.tokenStatus) return send(response, this.tokenStatus, { error: 'refused' });
      return send(response, 200, { access_token: this.accessToken, expires_in: this.expiresIn });
    }
    const order = /^\/partner\/read\/order\/([^/]+)\/([^/]+)$/.exec(path);
    if (request.method === 'GET' && order) {
      if (request.headers.authorization !== `Bearer ${this.accessToken}`) return send(response, 401, {});
      const found = this.orders.get(`${decodeURIComponent(order[1])}/${decodeURIComponent(order[2])}`);
      return found === undefined ? send(response, 404, { error: 'not found' }) : send(response, 200, found);
    }
    send(response, 501, { error: 'not implemented by the stub' });
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
