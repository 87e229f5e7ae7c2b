import { describeDocumentChanges } from '../../../scripts/openapi/document-changes';

describe('describeDocumentChanges', () => {
  const committed = {
    paths: { '/a': { get: { operationId: 'A' } }, '/b': { post: { operationId: 'B' } } },
    components: { schemas: { Thing: { type: 'object' }, Gone: { type: 'string' } } },
  };

  it('should name the operations and schemas added, removed and changed', () => {
    const current = {
      paths: { '/a': { get: { operationId: 'A', summary: 'new' } }, '/c': { delete: { operationId: 'C' } } },
      components: { schemas: { Thing: { type: 'object' }, New: { type: 'integer' } } },
    };
    expect(describeDocumentChanges(committed, current)).toEqual([
      'operation added: DELETE /c',
      'operation removed: POST /b',
      'operation changed: GET /a',
      'schema added: New',
      'schema removed: Gone',
    ]);
  });

  it('should say when only other parts differ', () => {
    expect(describeDocumentChanges(committed, { ...committed, info: { title: 'x' } })).toEqual([
      '(formatting, or parts outside operations and schemas)',
    ]);
  });
});
