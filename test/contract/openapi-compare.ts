import { readFileSync } from 'fs';
import { parse } from 'yaml';

/**
 * Pure OpenAPI 3.x comparer for the contract check: it compares the generated app document with the
 * published contract operation by operationId. Deliberately shallow (one level of schema properties)
 * so that the report stays readable and tolerant of how generators lay out nested schemas.
 */

export type JsonObject = { [key: string]: unknown };
export type OpenApiDoc = JsonObject;

export interface ContractReport {
  /** Contract operationIds the app implements, in contract order. */
  implemented: string[];
  /** Contract operationIds the app does not implement, in contract order. */
  missing: string[];
  /** One readable line per mismatch; empty means the app matches the contract. */
  problems: string[];
}

export interface CompareOptions {
  /** App paths that are not part of the contract on purpose (e.g. health probes). */
  ignoreAppPaths?: string[];
  /** App operations that are not part of the contract on purpose, as `METHOD /path` (e.g. `GET /a/{id}`). */
  ignoreAppOperations?: string[];
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

// Schema keywords compared for parameters (and their array items).
const PARAM_SCHEMA_FACETS = ['type', 'format', 'enum', 'pattern', 'minimum', 'maximum'] as const;

interface Operation {
  operationId: string | undefined;
  method: string;
  path: string;
  node: JsonObject;
  pathItem: JsonObject;
}

interface ParamInfo {
  name: string;
  in: string;
  required: boolean;
  schema: JsonObject | undefined;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Reads a contract or generated document; JSON is valid YAML, so one parser covers both. */
export function loadContract(path: string): OpenApiDoc {
  const parsed: unknown = parse(readFileSync(path, 'utf8'));
  if (!isObject(parsed)) {
    throw new Error(`${path} does not contain an OpenAPI object`);
  }
  return parsed;
}

function decodePointerSegment(segment: string): string {
  return decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~');
}

function lookupPointer(doc: OpenApiDoc, ref: string): unknown {
  if (!ref.startsWith('#/')) {
    throw new Error(`Only local $refs are supported, got "${ref}"`);
  }
  let current: unknown = doc;
  for (const segment of ref.slice(2).split('/').map(decodePointerSegment)) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) {
      current = current[Number(segment)];
    } else if (isObject(current) && Object.prototype.hasOwnProperty.call(current, segment)) {
      current = current[segment];
    } else {
      throw new Error(`Unresolvable $ref "${ref}"`);
    }
  }
  return current;
}

/**
 * Follows local `$ref`s until a non-reference node is reached (refs may point at refs).
 * Sibling keywords of `$ref` are ignored, as OpenAPI 3.0 specifies. Throws on circular chains.
 */
export function resolveRef(doc: OpenApiDoc, node: unknown): unknown {
  let current: unknown = node;
  const seen: string[] = [];
  while (isObject(current) && typeof current.$ref === 'string') {
    const ref = current.$ref;
    if (seen.includes(ref)) {
      throw new Error(`Circular $ref chain: ${[...seen, ref].join(' -> ')}`);
    }
    seen.push(ref);
    current = lookupPointer(doc, ref);
  }
  return current;
}

function resolveObject(doc: OpenApiDoc, node: unknown): JsonObject | undefined {
  const resolved = resolveRef(doc, node);
  return isObject(resolved) ? resolved : undefined;
}

/**
 * Resolves a schema and folds `allOf` parts into one object: properties merged, `required` unioned and
 * scalar keywords taken from the schema itself first, then from the parts in order.
 */
export function flattenSchema(
  doc: OpenApiDoc,
  node: unknown,
  seen: Set<JsonObject> = new Set(),
): JsonObject | undefined {
  const schema = resolveObject(doc, node);
  if (!schema || seen.has(schema)) {
    return schema;
  }
  const parts = asArray(schema.allOf);
  if (parts.length === 0) {
    return schema;
  }
  // Guards against allOf cycles (a schema extending itself through refs).
  const nextSeen = new Set(seen).add(schema);
  const merged: JsonObject = {};
  const properties: JsonObject = {};
  const required = new Set<string>();
  const sources = [schema, ...parts.map((part) => flattenSchema(doc, part, nextSeen))];
  for (const source of sources) {
    if (!source) continue;
    for (const [key, value] of Object.entries(source)) {
      if (key === 'allOf' || key === 'properties' || key === 'required') continue;
      if (merged[key] === undefined) merged[key] = value;
    }
    if (isObject(source.properties)) Object.assign(properties, source.properties);
    for (const name of asArray(source.required)) {
      if (typeof name === 'string') required.add(name);
    }
  }
  if (Object.keys(properties).length > 0) merged.properties = properties;
  if (required.size > 0) merged.required = [...required];
  return merged;
}

/** The effective type of a schema; inferred from its shape when `type` is absent, undefined when unknown. */
export function schemaType(doc: OpenApiDoc, node: unknown): string | undefined {
  const schema = flattenSchema(doc, node);
  if (!schema) return undefined;
  if (typeof schema.type === 'string') return schema.type;
  if (Array.isArray(schema.type)) {
    // OpenAPI 3.1 style `type: [string, 'null']`.
    const types = schema.type.filter((t): t is string => typeof t === 'string' && t !== 'null').sort();
    return types.length > 0 ? types.join('|') : undefined;
  }
  if (isObject(schema.properties) || schema.additionalProperties !== undefined) return 'object';
  if (schema.items !== undefined) return 'array';
  const alternatives = [...asArray(schema.oneOf), ...asArray(schema.anyOf)];
  if (alternatives.length > 0) {
    const types = new Set(alternatives.map((alt) => schemaType(doc, alt)));
    return types.size === 1 ? [...types][0] : undefined;
  }
  return undefined;
}

function show(value: unknown): string {
  if (value === undefined) return '(none)';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function sameSet(a: readonly unknown[], b: readonly unknown[]): boolean {
  const left = new Set(a.map((v) => JSON.stringify(v)));
  const right = new Set(b.map((v) => JSON.stringify(v)));
  return left.size === right.size && [...left].every((v) => right.has(v));
}

function stringList(value: unknown): string[] {
  return asArray(value).filter((v): v is string => typeof v === 'string');
}

function collectOperations(doc: OpenApiDoc): Operation[] {
  const operations: Operation[] = [];
  const paths = isObject(doc.paths) ? doc.paths : {};
  for (const [path, rawItem] of Object.entries(paths)) {
    const pathItem = resolveObject(doc, rawItem);
    if (!pathItem) continue;
    for (const method of HTTP_METHODS) {
      const node = resolveObject(doc, pathItem[method]);
      if (!node) continue;
      operations.push({ operationId: asString(node.operationId), method, path, node, pathItem });
    }
  }
  return operations;
}

function describeOp(op: Operation): string {
  return `${op.method.toUpperCase()} ${op.path}`;
}

function indexById(operations: Operation[], owner: string, problems: string[]): Map<string, Operation> {
  const byId = new Map<string, Operation>();
  for (const op of operations) {
    if (op.operationId === undefined) continue;
    const existing = byId.get(op.operationId);
    if (existing) {
      problems.push(
        `${op.operationId} is used by more than one ${owner} operation (${describeOp(existing)}, ${describeOp(op)})`,
      );
      continue;
    }
    byId.set(op.operationId, op);
  }
  return byId;
}

/** Path-level parameters merged with operation-level ones; the operation wins on the same (name, in). */
function collectParameters(doc: OpenApiDoc, op: Operation): Map<string, ParamInfo> {
  const params = new Map<string, ParamInfo>();
  for (const raw of [...asArray(op.pathItem.parameters), ...asArray(op.node.parameters)]) {
    const param = resolveObject(doc, raw);
    const name = asString(param?.name);
    const location = asString(param?.in);
    if (!param || name === undefined || location === undefined) continue;
    params.set(`${location}:${name}`, {
      name,
      in: location,
      // Path parameters are always required, whatever the document says.
      required: location === 'path' ? true : param.required === true,
      schema: flattenSchema(doc, param.schema),
    });
  }
  return params;
}

function compareFacets(
  label: string,
  contractDoc: OpenApiDoc,
  contractSchema: JsonObject | undefined,
  appDoc: OpenApiDoc,
  appSchema: JsonObject | undefined,
): string[] {
  const out: string[] = [];
  for (const facet of PARAM_SCHEMA_FACETS) {
    const expected = facet === 'type' ? schemaType(contractDoc, contractSchema) : contractSchema?.[facet];
    const actual = facet === 'type' ? schemaType(appDoc, appSchema) : appSchema?.[facet];
    const equal =
      facet === 'enum' && Array.isArray(expected) && Array.isArray(actual)
        ? sameSet(expected, actual)
        : JSON.stringify(expected) === JSON.stringify(actual);
    if (!equal) {
      out.push(`${label}: ${facet} is ${show(expected)} in contract but ${show(actual)} in app`);
    }
  }
  return out;
}

function compareParameters(contractDoc: OpenApiDoc, contractOp: Operation, appDoc: OpenApiDoc, appOp: Operation) {
  const out: string[] = [];
  const expected = collectParameters(contractDoc, contractOp);
  const actual = collectParameters(appDoc, appOp);
  for (const [key, param] of expected) {
    const label = `parameter ${param.in} "${param.name}"`;
    const other = actual.get(key);
    if (!other) {
      out.push(`${label} is missing in app`);
      continue;
    }
    if (param.required !== other.required) {
      out.push(`${label}: required is ${param.required} in contract but ${other.required} in app`);
    }
    out.push(...compareFacets(label, contractDoc, param.schema, appDoc, other.schema));
    const isArray = schemaType(contractDoc, param.schema) === 'array' || schemaType(appDoc, other.schema) === 'array';
    if (isArray) {
      const contractItems = flattenSchema(contractDoc, param.schema?.items);
      const appItems = flattenSchema(appDoc, other.schema?.items);
      out.push(...compareFacets(`${label} items`, contractDoc, contractItems, appDoc, appItems));
    }
  }
  for (const [key, param] of actual) {
    if (!expected.has(key)) out.push(`parameter ${param.in} "${param.name}" is not in contract`);
  }
  return out;
}

function compareProperties(
  label: string,
  contractDoc: OpenApiDoc,
  contractSchema: JsonObject | undefined,
  appDoc: OpenApiDoc,
  appSchema: JsonObject | undefined,
  checkRequired: boolean,
): string[] {
  const out: string[] = [];
  const expected = isObject(contractSchema?.properties) ? contractSchema.properties : {};
  const actual = isObject(appSchema?.properties) ? appSchema.properties : {};
  for (const [name, property] of Object.entries(expected)) {
    if (!(name in actual)) {
      out.push(`${label}: property "${name}" is missing in app`);
      continue;
    }
    const expectedType = schemaType(contractDoc, property);
    const actualType = schemaType(appDoc, actual[name]);
    if (expectedType !== actualType) {
      out.push(
        `${label}: property "${name}" has type ${show(expectedType)} in contract but ${show(actualType)} in app`,
      );
    } else if (expectedType === 'array') {
      // Item type only; nested properties are intentionally not compared.
      const expectedItems = schemaType(contractDoc, flattenSchema(contractDoc, property)?.items);
      const actualItems = schemaType(appDoc, flattenSchema(appDoc, actual[name])?.items);
      if (expectedItems !== actualItems) {
        out.push(
          `${label}: property "${name}" items have type ${show(expectedItems)} in contract but ${show(actualItems)} in app`,
        );
      }
    }
  }
  for (const name of Object.keys(actual)) {
    if (!(name in expected)) out.push(`${label}: property "${name}" is not in contract`);
  }
  if (checkRequired) {
    const expectedRequired = new Set(stringList(contractSchema?.required));
    const actualRequired = new Set(stringList(appSchema?.required));
    for (const name of expectedRequired) {
      if (!actualRequired.has(name)) out.push(`${label}: "${name}" is required in contract but optional in app`);
    }
    for (const name of actualRequired) {
      if (!expectedRequired.has(name)) out.push(`${label}: "${name}" is required in app but optional in contract`);
    }
  }
  return out;
}

/**
 * Shared shallow schema comparison for bodies and responses: top-level type, then either the
 * array item type plus the items' properties, or the object's properties (names and types).
 */
export function compareSchemas(
  label: string,
  contractDoc: OpenApiDoc,
  contractNode: unknown,
  appDoc: OpenApiDoc,
  appNode: unknown,
  options: { checkRequired?: boolean } = {},
): string[] {
  const checkRequired = options.checkRequired ?? false;
  const contractSchema = flattenSchema(contractDoc, contractNode);
  const appSchema = flattenSchema(appDoc, appNode);
  const expectedType = schemaType(contractDoc, contractSchema);
  const actualType = schemaType(appDoc, appSchema);
  if (expectedType !== actualType) {
    // Property comparison is meaningless once the shapes differ.
    return [`${label}: type is ${show(expectedType)} in contract but ${show(actualType)} in app`];
  }
  if (expectedType !== 'array') {
    return compareProperties(label, contractDoc, contractSchema, appDoc, appSchema, checkRequired);
  }
  const itemsLabel = `${label} items`;
  const contractItems = flattenSchema(contractDoc, contractSchema?.items);
  const appItems = flattenSchema(appDoc, appSchema?.items);
  const expectedItemType = schemaType(contractDoc, contractItems);
  const actualItemType = schemaType(appDoc, appItems);
  if (expectedItemType !== actualItemType) {
    return [`${itemsLabel}: type is ${show(expectedItemType)} in contract but ${show(actualItemType)} in app`];
  }
  return compareProperties(itemsLabel, contractDoc, contractItems, appDoc, appItems, checkRequired);
}

/** The schema of the JSON media type, preferring exactly `application/json`. */
function jsonSchema(content: unknown): { present: boolean; schema: unknown } {
  if (!isObject(content)) return { present: false, schema: undefined };
  const key =
    'application/json' in content
      ? 'application/json'
      : Object.keys(content).find((type) => /^application\/([\w.-]+\+)?json(\s*;|$)/i.test(type));
  if (key === undefined) return { present: false, schema: undefined };
  const media = content[key];
  return { present: true, schema: isObject(media) ? media.schema : undefined };
}

function compareRequestBodies(contractDoc: OpenApiDoc, contractOp: Operation, appDoc: OpenApiDoc, appOp: Operation) {
  const expected = resolveObject(contractDoc, contractOp.node.requestBody);
  const actual = resolveObject(appDoc, appOp.node.requestBody);
  if (!expected && !actual) return [];
  if (!actual) return ['request body is missing in app'];
  if (!expected) return ['request body is not in contract'];
  const out: string[] = [];
  const expectedRequired = expected.required === true;
  const actualRequired = actual.required === true;
  if (expectedRequired !== actualRequired) {
    out.push(`request body: required is ${expectedRequired} in contract but ${actualRequired} in app`);
  }
  const expectedJson = jsonSchema(expected.content);
  const actualJson = jsonSchema(actual.content);
  if (expectedJson.present && !actualJson.present) {
    out.push('request body: application/json is missing in app');
  } else if (!expectedJson.present && actualJson.present) {
    out.push('request body: application/json is not in contract');
  } else if (expectedJson.present) {
    out.push(
      ...compareSchemas('request body', contractDoc, expectedJson.schema, appDoc, actualJson.schema, {
        checkRequired: true,
      }),
    );
  }
  return out;
}

function compareResponses(contractDoc: OpenApiDoc, contractOp: Operation, appDoc: OpenApiDoc, appOp: Operation) {
  const out: string[] = [];
  const expected = isObject(contractOp.node.responses) ? contractOp.node.responses : {};
  const actual = isObject(appOp.node.responses) ? appOp.node.responses : {};
  for (const [code, rawResponse] of Object.entries(expected)) {
    if (!(code in actual)) {
      out.push(`response ${code} is missing in app`);
      continue;
    }
    const contractJson = jsonSchema(resolveObject(contractDoc, rawResponse)?.content);
    if (!contractJson.present || contractJson.schema === undefined) continue;
    const appJson = jsonSchema(resolveObject(appDoc, actual[code])?.content);
    if (!appJson.present || appJson.schema === undefined) {
      out.push(`response ${code}: application/json schema is missing in app`);
      continue;
    }
    out.push(...compareSchemas(`response ${code}`, contractDoc, contractJson.schema, appDoc, appJson.schema));
  }
  for (const code of Object.keys(actual)) {
    // Extra error codes are tolerated; extra success codes change the contract for clients.
    if (/^2/.test(code) && !(code in expected)) out.push(`response ${code} is not in contract`);
  }
  return out;
}

function compareOperation(contractDoc: OpenApiDoc, contractOp: Operation, appDoc: OpenApiDoc, appOp: Operation) {
  const out: string[] = [];
  if (contractOp.method !== appOp.method) {
    out.push(`method is ${contractOp.method.toUpperCase()} in contract but ${appOp.method.toUpperCase()} in app`);
  }
  if (contractOp.path !== appOp.path) {
    out.push(`path is ${contractOp.path} in contract but ${appOp.path} in app`);
  }
  const expectedTags = stringList(contractOp.node.tags);
  const actualTags = stringList(appOp.node.tags);
  if (!sameSet(expectedTags, actualTags)) {
    out.push(`tags are [${expectedTags.join(', ')}] in contract but [${actualTags.join(', ')}] in app`);
  }
  out.push(...compareParameters(contractDoc, contractOp, appDoc, appOp));
  out.push(...compareRequestBodies(contractDoc, contractOp, appDoc, appOp));
  out.push(...compareResponses(contractDoc, contractOp, appDoc, appOp));
  return out;
}

/** Compares the app's generated document against the contract; see ContractReport. */
export function compareContract(
  contract: OpenApiDoc,
  app: OpenApiDoc,
  notImplemented: string[],
  options: CompareOptions = {},
): ContractReport {
  const problems: string[] = [];
  const implemented: string[] = [];
  const missing: string[] = [];
  const ignoredPaths = new Set(options.ignoreAppPaths ?? []);
  const ignoredOperations = new Set(options.ignoreAppOperations ?? []);

  const contractOps = collectOperations(contract);
  const appOps = collectOperations(app);
  const contractById = indexById(contractOps, 'contract', problems);
  const appById = indexById(appOps, 'app', problems);
  // METHOD path index: lets an unknown app operation point at the contract operation it probably is.
  const contractByRoute = new Map(contractOps.map((op) => [describeOp(op), op]));
  const listed = new Set(notImplemented);

  for (const op of contractOps) {
    if (op.operationId === undefined) {
      problems.push(`contract operation ${describeOp(op)} has no operationId`);
    }
  }

  for (const [id, contractOp] of contractById) {
    const appOp = appById.get(id);
    if (!appOp) {
      missing.push(id);
      if (!listed.has(id)) problems.push(`${id} is neither implemented nor listed as not implemented`);
      continue;
    }
    implemented.push(id);
    if (listed.has(id)) {
      problems.push(`${id} is implemented but still listed as not implemented — remove it from the list`);
    }
    for (const line of compareOperation(contract, contractOp, app, appOp)) {
      problems.push(`${id}: ${line}`);
    }
  }

  for (const id of listed) {
    if (!contractById.has(id)) problems.push(`${id} is listed as not implemented but is not in the contract`);
  }

  for (const op of appOps) {
    if (ignoredPaths.has(op.path) || ignoredOperations.has(describeOp(op))) continue;
    if (op.operationId !== undefined && contractById.has(op.operationId)) continue;
    const route = describeOp(op);
    const label =
      op.operationId === undefined ? 'has no operationId' : `(operationId ${op.operationId}) is not in the contract`;
    const hint = contractByRoute.get(route)?.operationId;
    problems.push(`app operation ${route} ${label}${hint ? ` — the contract calls this route ${hint}` : ''}`);
  }

  return { implemented, missing, problems };
}

/** One operationId per line; `#` starts a comment, blank lines are ignored. */
export function readNotImplementedList(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line.length > 0);
}

export function formatReport(report: ContractReport): string {
  const total = report.implemented.length + report.missing.length;
  const lines = [
    `Contract check: ${report.implemented.length} of ${total} operations implemented, ` +
      `${report.missing.length} listed as not implemented, ${report.problems.length} problems`,
    ...report.problems.map((problem) => `  - ${problem}`),
  ];
  return lines.join('\n');
}
