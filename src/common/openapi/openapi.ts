import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorResponse } from '../../modules/clinics/dto/error.dto';
import { documentErrorBodies } from './error-bodies';

export const SESSION_TOKEN_SCHEME = 'sessionToken';
export const SESSION_TOKEN_HEADER = 'x-tidepool-session-token';
export const DOCS_PATH = 'docs';

/** Contract tags with their descriptions, as in clinic.v1.yaml, plus the service's own. */
const TAGS: Array<[string, string]> = [
  ['Clinics', 'Manage clinics, clinians and patients.'],
  ['Confirmations', 'Manage confirmations for account creation, sharing invites, etc.'],
  ['Internal', 'APIs intended for internal use by Tidepool.'],
  ['Redox', 'Public endpoints invoked by Redox.'],
  ['Health', 'Liveness and readiness of this service (not part of the Clinics API contract).'],
];

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Clinics API')
    .setVersion('1.0')
    .setDescription('Web service that stores information about clinics, clinicians and their patients')
    .setContact('Tidepool', 'https://www.tidepool.org', 'support@tidepool.org')
    .setLicense('BSD-2-Clause', 'https://github.com/tidepool-org/clinic/blob/master/LICENSE')
    .addApiKey(
      { type: 'apiKey', in: 'header', name: SESSION_TOKEN_HEADER, description: 'A Tidepool session token' },
      SESSION_TOKEN_SCHEME,
    );
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build(), {
    // Handler names are the contract's operationIds in camelCase.
    operationIdFactory: (_controller: string, method: string) => method.charAt(0).toUpperCase() + method.slice(1),
    extraModels: [ErrorResponse],
  });
  return documentErrorBodies(document, ErrorResponse.name);
}

export function setupOpenApi(app: INestApplication): OpenAPIObject {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: `${DOCS_PATH}-json`,
    customSiteTitle: 'Clinics API',
    swaggerOptions: { persistAuthorization: true },
  });
  return document;
}
