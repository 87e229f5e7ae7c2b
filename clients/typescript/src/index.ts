import createClient, { wrapAsPathBasedClient } from 'openapi-fetch';
import type { ClientOptions, Middleware, PathBasedClient } from 'openapi-fetch';
import { operationRoutes } from './operations';
import type { components, operations, paths } from './schema';

export { operationRoutes };
export type { components, operations, paths };

type Routes = typeof operationRoutes;
/** Every operationId of the Clinics API (`CreateClinic`, `ListPatients`, …). */
export type OperationId = keyof Routes;

type Operation<Id extends OperationId> = PathBasedClient<paths>[Routes[Id]['path']][Uppercase<Routes[Id]['method']>];

/**
 * One function per operation, named by its operationId, typed from the OpenAPI document: path and
 * query parameters in `params`, the request body in `body`; the answer is openapi-fetch's
 * `{ data, error, response }` with `error` the service's envelope `{ code, message }`.
 */
export type ClinicsOperations = { [Id in OperationId]: Operation<Id> };

/** The service's error body (every 4xx and 5xx answer). */
export type ErrorEnvelope = components['schemas']['ErrorResponse'];

export interface ClinicsClientOptions extends Omit<ClientOptions, 'baseUrl'> {
  /** Where the service is, e.g. `https://clinic.example.org`. */
  baseUrl: string;
  /** A Tidepool session token, sent as `x-tidepool-session-token`; a function is asked before each request. */
  token?: string | (() => string | undefined | Promise<string | undefined>);
  middleware?: Middleware[];
}

export const SESSION_TOKEN_HEADER = 'x-tidepool-session-token';

/** A client of the Clinics API exposing every operation by its operationId. */
export function createClinicsClient(options: ClinicsClientOptions): ClinicsOperations {
  const { token, middleware = [], ...clientOptions } = options;
  const client = createClient<paths>(clientOptions);
  if (token !== undefined) {
    client.use({
      async onRequest({ request }) {
        const value = typeof token === 'function' ? await token() : token;
        if (value) request.headers.set(SESSION_TOKEN_HEADER, value);
        return request;
      },
    });
  }
  client.use(...middleware);
  const byPath = wrapAsPathBasedClient(client);
  const api: Record<string, unknown> = {};
  for (const [operationId, route] of Object.entries(operationRoutes)) {
    const forPath = byPath[route.path] as unknown as Record<string, unknown>;
    api[operationId] = forPath[route.method.toUpperCase()];
  }
  return api as ClinicsOperations;
}
