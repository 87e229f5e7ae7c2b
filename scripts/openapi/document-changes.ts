type Json = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function operations(document: Json): Map<string, string> {
  const found = new Map<string, string>();
  for (const [path, item] of Object.entries((document.paths ?? {}) as Record<string, Json>)) {
    for (const method of METHODS) {
      if (item[method] !== undefined) found.set(`${method.toUpperCase()} ${path}`, JSON.stringify(item[method]));
    }
  }
  return found;
}

function schemas(document: Json): Map<string, string> {
  const components = (document.components ?? {}) as Json;
  return new Map(
    Object.entries((components.schemas ?? {}) as Json).map(([name, schema]) => [name, JSON.stringify(schema)]),
  );
}

function compare(kind: string, before: Map<string, string>, after: Map<string, string>): string[] {
  const lines: string[] = [];
  for (const key of after.keys()) if (!before.has(key)) lines.push(`${kind} added: ${key}`);
  for (const key of before.keys()) if (!after.has(key)) lines.push(`${kind} removed: ${key}`);
  for (const [key, value] of after)
    if (before.has(key) && before.get(key) !== value) lines.push(`${kind} changed: ${key}`);
  return lines;
}

/** What differs between two OpenAPI documents, by operation and by schema. */
export function describeDocumentChanges(committed: object, current: object): string[] {
  const before = committed as Json;
  const after = current as Json;
  const lines = [
    ...compare('operation', operations(before), operations(after)),
    ...compare('schema', schemas(before), schemas(after)),
  ];
  return lines.length > 0 ? lines : ['(formatting, or parts outside operations and schemas)'];
}
