import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { buildDocumentWithoutDatabase } from '../../src/common/openapi/preview-document';
import { clientOperations, clientTypes } from './client-files';
import { describeDocumentChanges } from './document-changes';

const ROOT = resolve(__dirname, '../..');
export const DOCUMENT_PATH = resolve(ROOT, 'openapi/clinic.json');
const CLIENT_SOURCES = resolve(ROOT, 'clients/typescript/src');

/** A generated file: where it is committed and what the code makes of it now. */
interface Artifact {
  path: string;
  content: string;
  /** Explains how the committed file differs, for the check's message. */
  describeChanges?: (committed: string) => string[];
}

export function serializeDocument(document: object): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

async function artifacts(): Promise<Artifact[]> {
  const document = await buildDocumentWithoutDatabase();
  const documentText = serializeDocument(document);
  return [
    {
      path: DOCUMENT_PATH,
      content: documentText,
      describeChanges: (committed) => describeDocumentChanges(JSON.parse(committed) as object, document),
    },
    // The client is generated from the document as committed, i.e. as a JSON round trip.
    { path: resolve(CLIENT_SOURCES, 'schema.ts'), content: await clientTypes(JSON.parse(documentText) as object) },
    { path: resolve(CLIENT_SOURCES, 'operations.ts'), content: clientOperations(document) },
  ];
}

function readCommitted(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** `openapi [--check]`: writes the generated files, or (`--check`) exits 1 when a committed one is stale. */
export async function main(args: string[]): Promise<number> {
  const check = args.includes('--check');
  const files = await artifacts();
  if (!check) {
    for (const file of files) {
      mkdirSync(dirname(file.path), { recursive: true });
      writeFileSync(file.path, file.content);
      console.log(`wrote ${relative(ROOT, file.path)}`);
    }
    return 0;
  }
  let stale = 0;
  for (const file of files) {
    const committed = readCommitted(file.path);
    const name = relative(ROOT, file.path);
    if (committed === file.content) {
      console.log(`${name}: up to date`);
      continue;
    }
    stale += 1;
    if (committed === undefined) {
      console.error(`${name}: missing`);
      continue;
    }
    console.error(`${name}: differs from what the code generates`);
    for (const line of file.describeChanges?.(committed) ?? []) console.error(`  ${line}`);
  }
  if (stale > 0) {
    console.error(
      '\nThe API changed but the committed OpenAPI document (or the client generated from it) was not ' +
        'regenerated.\nRun `npm run openapi` and commit openapi/ and clients/typescript/ with the change.',
    );
    return 1;
  }
  return 0;
}
