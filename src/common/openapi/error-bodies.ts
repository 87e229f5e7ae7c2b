import type { OpenAPIObject } from '@nestjs/swagger';
import type { ReferenceObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/**
 * Every error the service answers is the envelope `{code, message}` (+ `details`): error responses
 * a controller declared without a body get its schema, and every operation gets `4XX` and `5XX`
 * responses with it (any error status not listed — 401, 404, 503 … — is in the envelope), so
 * generated clients type their errors. Ranges rather than `default`: a success status the contract
 * does not list (an empty 200 or 204) is not an error.
 */
export function documentErrorBodies(document: OpenAPIObject, envelopeSchemaName: string): OpenAPIObject {
  const envelope: ReferenceObject = { $ref: `#/components/schemas/${envelopeSchemaName}` };
  for (const item of Object.values(document.paths)) {
    for (const operation of [item.get, item.put, item.post, item.delete, item.patch, item.head, item.options]) {
      if (!operation) continue;
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!response || !/^[45]\d\d$/.test(status) || '$ref' in response) continue;
        response.content ??= { 'application/json': { schema: envelope } };
      }
      for (const range of ['4XX', '5XX']) {
        operation.responses[range] ??= {
          description: 'An error, in the service’s envelope',
          content: { 'application/json': { schema: envelope } },
        };
      }
    }
  }
  return document;
}
