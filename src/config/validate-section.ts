import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { Environment, readEnvironment } from './environment';

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

type Constructor<T> = new () => T;

/**
 * Builds a configuration section from environment variables and validates it.
 * The section class's property names are the variable names, so every message names the variable.
 */
export function validateSection<T extends object>(section: Constructor<T>, env: Environment = readEnvironment()): T {
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    // Empty values count as unset, as in most twelve-factor setups.
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const instance = plainToInstance(section, raw, { excludeExtraneousValues: true, exposeDefaultValues: true });
  const errors = validateSync(instance, { skipMissingProperties: false });
  if (errors.length > 0) {
    throw new ConfigurationError(`invalid configuration: ${errors.map(describeError).join('; ')}`);
  }
  return instance;
}

function describeError(error: ValidationError): string {
  const reasons = Object.values(error.constraints ?? {}).join(', ');
  return `${error.property} (${reasons})`;
}
