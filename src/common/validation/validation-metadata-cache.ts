import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

type MetadataStorage = ReturnType<typeof getMetadataStorage>;
type Lookup = MetadataStorage['getTargetValidationMetadatas'];

const CACHING = Symbol('cachingValidationMetadata');

/**
 * class-validator finds a class's rules on every validation by going through every class that has
 * rules (for inherited ones) and grouping the result by property: a cost that grows with the number
 * of DTO classes, paid by every request. Rules are registered when classes are defined, so the
 * answer for a class only changes when a rule is added: both look-ups are remembered per class and
 * options, and forgotten whenever a rule is registered.
 */
export function cacheValidationMetadata(storage: MetadataStorage = getMetadataStorage()): void {
  const marked = storage as MetadataStorage & { [CACHING]?: true };
  if (marked[CACHING]) return;
  marked[CACHING] = true;

  const lookup: Lookup = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  const register = storage.addValidationMetadata.bind(storage);
  let found = new Map<unknown, Map<string, ValidationMetadata[]>>();
  let grouped = new WeakMap<ValidationMetadata[], Record<string, ValidationMetadata[]>>();

  storage.addValidationMetadata = (metadata: ValidationMetadata): void => {
    found = new Map();
    grouped = new WeakMap();
    register(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = JSON.stringify([schema, always, strictGroups, groups ?? null]);
    let ofTarget = found.get(target);
    if (!ofTarget) found.set(target, (ofTarget = new Map<string, ValidationMetadata[]>()));
    let metadatas = ofTarget.get(key);
    if (!metadatas) ofTarget.set(key, (metadatas = lookup(target, schema, always, strictGroups, groups)));
    return metadatas;
  };
  storage.groupByPropertyName = (metadatas: ValidationMetadata[]) => {
    let byProperty = grouped.get(metadatas);
    if (!byProperty) grouped.set(metadatas, (byProperty = group(metadatas)));
    return byProperty;
  };
}
