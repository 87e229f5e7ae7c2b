import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';

import {
  compareContract,
  compareSchemas,
  ContractReport,
  formatReport,
  isObject,
  JsonObject,
  loadContract,
  OpenApiDoc,
  readNotImplementedList,
  resolveRef,
} from '../../contract/openapi-compare';

const REAL_CONTRACT = path.resolve(__dirname, '../../../../shared/spec/clinic.v1.yaml');
const REAL_CONTRACT_JSON = path.resolve(__dirname, '../../../../shared/spec/clinic.v1.json');

const json = (schema: JsonObject) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** Contract-style fixture: heavy use of $refs, path-level parameters and allOf. */
function contractDoc(): OpenApiDoc {
  return {
    openapi: '3.0.3',
    paths: {
      '/v1/clinics': {
        get: {
          operationId: 'listClinics',
          tags: ['Clinics'],
          parameters: [
            { $ref: '#/components/parameters/limit' },
            { name: 'status', in: 'query', schema: { type: 'string', enum: ['active', 'inactive'] } },
            { name: 'createdFrom', in: 'query', schema: { type: 'string', format: 'date-time' } },
            { name: 'ids', in: 'query', schema: { type: 'array', items: { $ref: '#/components/schemas/objectId' } } },
          ],
          responses: {
            '200': { description: 'OK', content: json({ type: 'array', items: ref('clinic') }) },
            '400': { $ref: '#/components/responses/badRequest' },
          },
        },
        post: {
          operationId: 'createClinic',
          tags: ['Clinics'],
          requestBody: { required: true, content: json(ref('clinicCreate')) },
          responses: {
            '200': { description: 'OK', content: json(ref('clinic')) },
            '400': { $ref: '#/components/responses/badRequest' },
          },
        },
      },
      '/v1/clinics/{clinicId}': {
        parameters: [{ $ref: '#/components/parameters/clinicIdAlias' }],
        get: {
          operationId: 'getClinic',
          tags: ['Clinics'],
          responses: {
            '200': { description: 'OK', content: json(ref('clinic')) },
            '404': { description: 'Not Found', content: json(ref('error')) },
          },
        },
        delete: {
          operationId: 'deleteClinic',
          tags: ['Clinics'],
          responses: { '204': { description: 'No Content' }, '404': { description: 'Not Found' } },
        },
      },
    },
    components: {
      parameters: {
        // A ref to a ref proves chains are followed.
        clinicIdAlias: { $ref: '#/components/parameters/clinicId' },
        clinicId: { name: 'clinicId', in: 'path', required: true, schema: ref('objectId') },
        limit: { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
      },
      responses: {
        badRequest: { description: 'Bad Request', content: json(ref('error')) },
      },
      schemas: {
        objectId: { type: 'string', pattern: '^[a-f0-9]{24}$' },
        address: { type: 'object', properties: { city: { type: 'string' } } },
        clinic: {
          type: 'object',
          required: ['id', 'name'],
          properties: {
            id: ref('objectId'),
            name: { type: 'string' },
            address: ref('address'),
            tags: { type: 'array', items: { type: 'string' } },
          },
        },
        clinicBase: {
          type: 'object',
          required: ['phone'],
          properties: { phone: { type: 'string' }, website: { type: 'string' } },
        },
        clinicCreate: {
          allOf: [ref('clinicBase'), { type: 'object', required: ['name'], properties: { name: { type: 'string' } } }],
        },
        error: { type: 'object', properties: { code: { type: 'integer' }, message: { type: 'string' } } },
      },
    },
  };
}

/** Nest-style equivalent: different component names, operation-level params, flattened allOf, extra health route. */
function appDoc(): OpenApiDoc {
  const clinicIdParam = () => ({
    name: 'clinicId',
    in: 'path',
    required: true,
    schema: { type: 'string', pattern: '^[a-f0-9]{24}$' },
  });
  return {
    openapi: '3.0.0',
    paths: {
      '/v1/clinics': {
        get: {
          operationId: 'listClinics',
          tags: ['Clinics'],
          parameters: [
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100 } },
            { name: 'status', in: 'query', required: false, schema: { type: 'string', enum: ['inactive', 'active'] } },
            { name: 'createdFrom', in: 'query', required: false, schema: { type: 'string', format: 'date-time' } },
            {
              name: 'ids',
              in: 'query',
              required: false,
              schema: { type: 'array', items: { type: 'string', pattern: '^[a-f0-9]{24}$' } },
            },
          ],
          responses: {
            '200': { description: '', content: json({ type: 'array', items: ref('ClinicDto') }) },
            '400': { description: '', content: json(ref('ErrorDto')) },
          },
        },
        post: {
          operationId: 'createClinic',
          tags: ['Clinics'],
          requestBody: { required: true, content: json(ref('CreateClinicDto')) },
          responses: {
            '200': { description: '', content: json(ref('ClinicDto')) },
            '400': { description: '', content: json(ref('ErrorDto')) },
          },
        },
      },
      '/v1/clinics/{clinicId}': {
        get: {
          operationId: 'getClinic',
          tags: ['Clinics'],
          parameters: [clinicIdParam()],
          responses: {
            '200': { description: '', content: json(ref('ClinicDto')) },
            '404': { description: '', content: json(ref('ErrorDto')) },
          },
        },
        delete: {
          operationId: 'deleteClinic',
          tags: ['Clinics'],
          parameters: [clinicIdParam()],
          responses: { '204': { description: '' }, '404': { description: '' } },
        },
      },
      '/ready': { get: { operationId: 'HealthController_ready', responses: { '200': { description: '' } } } },
    },
    components: {
      schemas: {
        AddressDto: { type: 'object', properties: { city: { type: 'string' } } },
        ClinicDto: {
          type: 'object',
          required: ['id', 'name'],
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            // Nest wraps described refs in allOf; still an object.
            address: { description: 'Postal address', allOf: [ref('AddressDto')] },
            tags: { type: 'array', items: { type: 'string' } },
          },
        },
        CreateClinicDto: {
          type: 'object',
          required: ['phone', 'name'],
          properties: { phone: { type: 'string' }, website: { type: 'string' }, name: { type: 'string' } },
        },
        ErrorDto: { type: 'object', properties: { code: { type: 'integer' }, message: { type: 'string' } } },
      },
    },
  };
}

const OPTIONS = { ignoreAppPaths: ['/ready', '/live'] };

/** Navigates a fixture to an object node so tests can mutate it type-safely. */
function node(root: unknown, ...keys: (string | number)[]): JsonObject {
  let current: unknown = root;
  for (const key of keys) {
    current = Array.isArray(current) ? current[Number(key)] : isObject(current) ? current[String(key)] : undefined;
  }
  if (!isObject(current)) throw new Error(`No object at ${keys.join('.')}`);
  return current;
}

function param(doc: OpenApiDoc, route: string, method: string, name: string): JsonObject {
  const params = node(doc, 'paths', route, method).parameters;
  const found = (Array.isArray(params) ? params : []).find((p) => isObject(p) && p.name === name);
  if (!isObject(found)) throw new Error(`No parameter ${name}`);
  return found;
}

/** Compares the contract fixture with a mutated copy of the app fixture. */
function problemsAfter(mutate: (app: OpenApiDoc) => void, notImplemented: string[] = []): string[] {
  const app = appDoc();
  mutate(app);
  return compareContract(contractDoc(), app, notImplemented, OPTIONS).problems;
}

describe('openapi-compare', () => {
  describe('compareContract on hand-made documents', () => {
    it('should report zero problems for an equivalent app document', () => {
      const report = compareContract(contractDoc(), appDoc(), [], OPTIONS);

      expect(report).toEqual({
        implemented: ['listClinics', 'createClinic', 'getClinic', 'deleteClinic'],
        missing: [],
        problems: [],
      });
    });

    it('should report a wrong method', () => {
      const problems = problemsAfter((app) => {
        const item = node(app, 'paths', '/v1/clinics/{clinicId}');
        item.post = item.delete;
        delete item.delete;
      });

      expect(problems).toEqual(['deleteClinic: method is DELETE in contract but POST in app']);
    });

    it('should report a wrong path', () => {
      const problems = problemsAfter((app) => {
        const paths = node(app, 'paths');
        paths['/v1/clinic/{clinicId}'] = { get: node(paths, '/v1/clinics/{clinicId}').get };
        delete node(paths, '/v1/clinics/{clinicId}').get;
      });

      expect(problems).toEqual([
        'getClinic: path is /v1/clinics/{clinicId} in contract but /v1/clinic/{clinicId} in app',
      ]);
    });

    it('should report a contract operation that is neither implemented nor listed', () => {
      const problems = problemsAfter((app) => delete node(app, 'paths', '/v1/clinics/{clinicId}').delete);

      expect(problems).toEqual(['deleteClinic is neither implemented nor listed as not implemented']);
    });

    it('should accept a missing operation that is listed as not implemented', () => {
      const app = appDoc();
      delete node(app, 'paths', '/v1/clinics/{clinicId}').delete;

      const report = compareContract(contractDoc(), app, ['deleteClinic'], OPTIONS);

      expect(report.problems).toEqual([]);
      expect(report.missing).toEqual(['deleteClinic']);
      expect(report.implemented).toHaveLength(3);
    });

    it('should report an app operation whose operationId differs from the contract', () => {
      const problems = problemsAfter((app) => {
        node(app, 'paths', '/v1/clinics/{clinicId}', 'get').operationId = 'findClinic';
      });

      expect(problems).toEqual([
        'getClinic is neither implemented nor listed as not implemented',
        'app operation GET /v1/clinics/{clinicId} (operationId findClinic) is not in the contract' +
          ' — the contract calls this route getClinic',
      ]);
    });

    it('should report a stale not-implemented entry', () => {
      const problems = problemsAfter(() => undefined, ['getClinic']);

      expect(problems).toEqual([
        'getClinic is implemented but still listed as not implemented — remove it from the list',
      ]);
    });

    it('should report a not-implemented entry unknown to the contract', () => {
      const problems = problemsAfter(() => undefined, ['listWidgets']);

      expect(problems).toEqual(['listWidgets is listed as not implemented but is not in the contract']);
    });

    it('should report extra app operations but skip ignored paths', () => {
      const app = appDoc();
      node(app, 'paths')['/v1/widgets'] = {
        get: { operationId: 'listWidgets', responses: { '200': { description: '' } } },
        post: { responses: { '200': { description: '' } } },
      };

      expect(compareContract(contractDoc(), app, [], OPTIONS).problems).toEqual([
        'app operation GET /v1/widgets (operationId listWidgets) is not in the contract',
        'app operation POST /v1/widgets has no operationId',
      ]);
      expect(compareContract(contractDoc(), app, []).problems).toContain(
        'app operation GET /ready (operationId HealthController_ready) is not in the contract',
      );
    });

    it('should skip app operations listed by method and path, and only those', () => {
      const app = appDoc();
      node(app, 'paths')['/v1/widgets/{id}'] = {
        get: { operationId: 'GetWidget', responses: { '200': { description: '' } } },
        delete: { operationId: 'DeleteWidget', responses: { '200': { description: '' } } },
      };

      expect(
        compareContract(contractDoc(), app, [], { ...OPTIONS, ignoreAppOperations: ['DELETE /v1/widgets/{id}'] })
          .problems,
      ).toEqual(['app operation GET /v1/widgets/{id} (operationId GetWidget) is not in the contract']);
    });

    it('should report duplicate operationIds in the app', () => {
      const problems = problemsAfter((app) => {
        node(app, 'paths')['/v2/clinics'] = { get: node(app, 'paths', '/v1/clinics', 'get') };
      });

      expect(problems).toEqual([
        'listClinics is used by more than one app operation (GET /v1/clinics, GET /v2/clinics)',
      ]);
    });

    it('should report a tag mismatch and ignore tag order', () => {
      const problems = problemsAfter((app) => {
        node(app, 'paths', '/v1/clinics', 'get').tags = ['Internal'];
      });
      const reordered = problemsAfter((app) => {
        node(app, 'paths', '/v1/clinics', 'get').tags = ['Clinics'];
        node(app, 'paths', '/v1/clinics', 'post').tags = ['Clinics'];
      });

      expect(problems).toEqual(['listClinics: tags are [Clinics] in contract but [Internal] in app']);
      expect(reordered).toEqual([]);
    });

    it('should report a missing parameter', () => {
      const problems = problemsAfter((app) => {
        const get = node(app, 'paths', '/v1/clinics', 'get');
        get.parameters = (get.parameters as unknown[]).filter((p) => isObject(p) && p.name !== 'limit');
      });

      expect(problems).toEqual(['listClinics: parameter query "limit" is missing in app']);
    });

    it('should report an extra parameter', () => {
      const problems = problemsAfter((app) => {
        const get = node(app, 'paths', '/v1/clinics', 'get');
        (get.parameters as unknown[]).push({ name: 'sort', in: 'query', schema: { type: 'string' } });
      });

      expect(problems).toEqual(['listClinics: parameter query "sort" is not in contract']);
    });

    it('should compare parameters by name and location', () => {
      const problems = problemsAfter((app) => {
        param(app, '/v1/clinics', 'get', 'limit').in = 'header';
      });

      expect(problems).toEqual([
        'listClinics: parameter query "limit" is missing in app',
        'listClinics: parameter header "limit" is not in contract',
      ]);
    });

    it('should report a required mismatch', () => {
      const problems = problemsAfter((app) => {
        param(app, '/v1/clinics', 'get', 'limit').required = true;
      });

      expect(problems).toEqual(['listClinics: parameter query "limit": required is false in contract but true in app']);
    });

    it('should treat path parameters as required even when the flag is absent', () => {
      const problems = problemsAfter((app) => {
        delete param(app, '/v1/clinics/{clinicId}', 'get', 'clinicId').required;
      });

      expect(problems).toEqual([]);
    });

    it.each([
      ['type', 'limit', { type: 'number', minimum: 1, maximum: 100 }, 'type is integer in contract but number in app'],
      ['format', 'createdFrom', { type: 'string', format: 'date' }, 'format is date-time in contract but date in app'],
      [
        'enum',
        'status',
        { type: 'string', enum: ['active', 'closed'] },
        'enum is ["active","inactive"] in contract but ["active","closed"] in app',
      ],
      ['pattern', 'createdFrom', { type: 'string', format: 'date-time', pattern: '^\\d' }, 'pattern is (none)'],
      ['minimum', 'limit', { type: 'integer', minimum: 0, maximum: 100 }, 'minimum is 1 in contract but 0 in app'],
      ['maximum', 'limit', { type: 'integer', minimum: 1 }, 'maximum is 100 in contract but (none) in app'],
    ])('should report a parameter schema %s mismatch', (_facet, name, schema, message) => {
      const problems = problemsAfter((app) => {
        param(app, '/v1/clinics', 'get', name).schema = schema;
      });

      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(`listClinics: parameter query "${name}": ${message}`);
    });

    it('should compare array parameter items', () => {
      const problems = problemsAfter((app) => {
        param(app, '/v1/clinics', 'get', 'ids').schema = { type: 'array', items: { type: 'integer' } };
      });

      expect(problems).toEqual([
        'listClinics: parameter query "ids" items: type is string in contract but integer in app',
        'listClinics: parameter query "ids" items: pattern is ^[a-f0-9]{24}$ in contract but (none) in app',
      ]);
    });

    it('should resolve $ref parameters and their $ref schemas before comparing', () => {
      const problems = problemsAfter((app) => {
        param(app, '/v1/clinics/{clinicId}', 'get', 'clinicId').schema = { type: 'string', pattern: '^[0-9]+$' };
      });

      expect(problems).toEqual([
        'getClinic: parameter path "clinicId": pattern is ^[a-f0-9]{24}$ in contract but ^[0-9]+$ in app',
      ]);
    });

    it('should accept $ref parameters in the app document too', () => {
      const app = appDoc();
      node(app, 'components').parameters = { limit: param(app, '/v1/clinics', 'get', 'limit') };
      const get = node(app, 'paths', '/v1/clinics', 'get');
      get.parameters = (get.parameters as unknown[]).map((p) =>
        isObject(p) && p.name === 'limit' ? { $ref: '#/components/parameters/limit' } : p,
      );

      expect(compareContract(contractDoc(), app, [], OPTIONS).problems).toEqual([]);
    });

    it('should report a request body required mismatch', () => {
      const problems = problemsAfter((app) => {
        node(app, 'paths', '/v1/clinics', 'post', 'requestBody').required = false;
      });

      expect(problems).toEqual(['createClinic: request body: required is true in contract but false in app']);
    });

    it('should report a missing or unexpected request body', () => {
      const missing = problemsAfter((app) => delete node(app, 'paths', '/v1/clinics', 'post').requestBody);
      const extra = problemsAfter((app) => {
        node(app, 'paths', '/v1/clinics/{clinicId}', 'delete').requestBody = { content: json({ type: 'object' }) };
      });

      expect(missing).toEqual(['createClinic: request body is missing in app']);
      expect(extra).toEqual(['deleteClinic: request body is not in contract']);
    });

    it('should report a missing, extra or mistyped body property', () => {
      const problems = problemsAfter((app) => {
        const properties = node(app, 'components', 'schemas', 'CreateClinicDto', 'properties');
        delete properties.website;
        properties.fax = { type: 'string' };
        properties.name = { type: 'integer' };
      });

      expect(problems).toEqual([
        'createClinic: request body: property "website" is missing in app',
        'createClinic: request body: property "name" has type string in contract but integer in app',
        'createClinic: request body: property "fax" is not in contract',
      ]);
    });

    it('should report a body required list mismatch', () => {
      const problems = problemsAfter((app) => {
        node(app, 'components', 'schemas', 'CreateClinicDto').required = ['name', 'website'];
      });

      expect(problems).toEqual([
        'createClinic: request body: "phone" is required in contract but optional in app',
        'createClinic: request body: "website" is required in app but optional in contract',
      ]);
    });

    it('should merge allOf parts (properties and required) before comparing', () => {
      const problems = problemsAfter((app) => {
        const dto = node(app, 'components', 'schemas', 'CreateClinicDto');
        delete node(dto, 'properties').phone;
        dto.required = ['name'];
      });

      expect(problems).toEqual([
        'createClinic: request body: property "phone" is missing in app',
        'createClinic: request body: "phone" is required in contract but optional in app',
      ]);
    });

    it('should accept an app body built with allOf as well', () => {
      const app = appDoc();
      node(app, 'components', 'schemas').CreateClinicDto = {
        allOf: [
          {
            type: 'object',
            required: ['phone'],
            properties: { phone: { type: 'string' }, website: { type: 'string' } },
          },
          { required: ['name'], properties: { name: { type: 'string' } } },
        ],
      };

      expect(compareContract(contractDoc(), app, [], OPTIONS).problems).toEqual([]);
    });

    it('should report a missing error status code', () => {
      const problems = problemsAfter(
        (app) => delete node(app, 'paths', '/v1/clinics/{clinicId}', 'get', 'responses')['404'],
      );

      expect(problems).toEqual(['getClinic: response 404 is missing in app']);
    });

    it('should report an extra success code but tolerate extra error codes', () => {
      const problems = problemsAfter((app) => {
        const responses = node(app, 'paths', '/v1/clinics', 'post', 'responses');
        responses['201'] = { description: 'Created' };
        responses['500'] = { description: 'Internal Server Error' };
      });

      expect(problems).toEqual(['createClinic: response 201 is not in contract']);
    });

    it('should report response property name and type mismatches', () => {
      const problems = problemsAfter((app) => {
        node(app, 'paths', '/v1/clinics/{clinicId}', 'get', 'responses', '404').content = json({
          type: 'object',
          properties: { code: { type: 'string' }, error: { type: 'string' } },
        });
      });

      expect(problems).toEqual([
        'getClinic: response 404: property "code" has type integer in contract but string in app',
        'getClinic: response 404: property "message" is missing in app',
        'getClinic: response 404: property "error" is not in contract',
      ]);
    });

    it('should resolve $ref responses and report a missing JSON schema', () => {
      const problems = problemsAfter((app) => {
        node(app, 'paths', '/v1/clinics', 'post', 'responses')['400'] = { description: 'Bad Request' };
      });

      expect(problems).toEqual(['createClinic: response 400: application/json schema is missing in app']);
    });

    it('should compare property types of $ref object properties and array item types', () => {
      const problems = problemsAfter((app) => {
        const properties = node(app, 'components', 'schemas', 'ClinicDto', 'properties');
        properties.address = { type: 'string' };
        properties.tags = { type: 'array', items: { type: 'integer' } };
      });

      // ClinicDto is used by three responses.
      expect(problems).toEqual([
        'listClinics: response 200 items: property "address" has type object in contract but string in app',
        'listClinics: response 200 items: property "tags" items have type string in contract but integer in app',
        'createClinic: response 200: property "address" has type object in contract but string in app',
        'createClinic: response 200: property "tags" items have type string in contract but integer in app',
        'getClinic: response 200: property "address" has type object in contract but string in app',
        'getClinic: response 200: property "tags" items have type string in contract but integer in app',
      ]);
    });

    it('should compare array responses by their items', () => {
      const wrongItems = problemsAfter((app) => {
        node(app, 'paths', '/v1/clinics', 'get', 'responses', '200').content = json({
          type: 'array',
          items: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } },
        });
      });
      const notArray = problemsAfter((app) => {
        node(app, 'paths', '/v1/clinics', 'get', 'responses', '200').content = json(ref('ClinicDto'));
      });

      expect(wrongItems).toEqual([
        'listClinics: response 200 items: property "address" is missing in app',
        'listClinics: response 200 items: property "tags" is missing in app',
      ]);
      expect(notArray).toEqual(['listClinics: response 200: type is array in contract but object in app']);
    });
  });

  describe('compareSchemas', () => {
    it('should stop at one level of properties', () => {
      const doc: OpenApiDoc = {};
      const contract = { type: 'object', properties: { a: { type: 'object', properties: { b: { type: 'string' } } } } };
      const app = { type: 'object', properties: { a: { type: 'object', properties: { c: { type: 'integer' } } } } };

      expect(compareSchemas('body', doc, contract, doc, app)).toEqual([]);
    });
  });

  describe('resolveRef', () => {
    const doc: OpenApiDoc = {
      components: {
        schemas: {
          a: { $ref: '#/components/schemas/b' },
          b: { type: 'string' },
          'x/y': { type: 'integer' },
          loop1: { $ref: '#/components/schemas/loop2' },
          loop2: { $ref: '#/components/schemas/loop1' },
        },
      },
    };

    it('should follow a chain of local refs', () => {
      expect(resolveRef(doc, { $ref: '#/components/schemas/a' })).toEqual({ type: 'string' });
    });

    it('should decode JSON pointer escapes', () => {
      expect(resolveRef(doc, { $ref: '#/components/schemas/x~1y' })).toEqual({ type: 'integer' });
    });

    it('should return non-ref nodes unchanged', () => {
      const schema = { type: 'boolean' };

      expect(resolveRef(doc, schema)).toBe(schema);
      expect(resolveRef(doc, undefined)).toBeUndefined();
    });

    it('should throw on circular and unresolvable refs', () => {
      expect(() => resolveRef(doc, { $ref: '#/components/schemas/loop1' })).toThrow(/Circular \$ref chain/);
      expect(() => resolveRef(doc, { $ref: '#/components/schemas/nope' })).toThrow(/Unresolvable \$ref/);
      expect(() => resolveRef(doc, { $ref: 'other.yaml#/x' })).toThrow(/Only local \$refs/);
    });
  });

  describe('readNotImplementedList', () => {
    it('should ignore comments and blank lines', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'contract-'));
      try {
        const file = path.join(dir, 'not-implemented.txt');
        writeFileSync(file, '# header\n\nlistClinics\n  getClinic   # trailing comment\r\n\n# deleteClinic\n');

        expect(readNotImplementedList(file)).toEqual(['listClinics', 'getClinic']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('formatReport', () => {
    it('should summarise counts and list problems', () => {
      const report: ContractReport = {
        implemented: ['a', 'b'],
        missing: ['c'],
        problems: ['a: response 404 is missing in app'],
      };

      expect(formatReport(report)).toBe(
        'Contract check: 2 of 3 operations implemented, 1 listed as not implemented, 1 problems\n' +
          '  - a: response 404 is missing in app',
      );
    });
  });

  describe('the real contract', () => {
    it('should load YAML and JSON into the same document', () => {
      expect(loadContract(REAL_CONTRACT_JSON)).toEqual(loadContract(REAL_CONTRACT));
    });

    it('should implement all 86 operations with zero problems when compared with itself', () => {
      const contract = loadContract(REAL_CONTRACT);

      const report = compareContract(contract, loadContract(REAL_CONTRACT), []);

      expect(report.problems).toEqual([]);
      expect(report.missing).toEqual([]);
      expect(report.implemented).toHaveLength(86);
      expect(formatReport(report)).toBe(
        'Contract check: 86 of 86 operations implemented, 0 listed as not implemented, 0 problems',
      );
    });

    it('should detect a mismatch in a $ref-heavy operation of the real contract', () => {
      const contract = loadContract(REAL_CONTRACT);
      const app = loadContract(REAL_CONTRACT);
      const listClinics = node(app, 'paths', '/v1/clinics', 'get');
      listClinics.parameters = [];

      const report = compareContract(contract, app, []);

      expect(report.problems.length).toBeGreaterThan(0);
      expect(report.problems.every((p) => p.startsWith(`${String(listClinics.operationId)}: parameter `))).toBe(true);
    });
  });
});
