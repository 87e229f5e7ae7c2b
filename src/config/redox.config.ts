import { registerAs } from '@nestjs/config';
import { Expose } from 'class-transformer';
import { IsOptional, IsString } from 'class-validator';
import { validateSection } from './validate-section';

class RedoxEnvironment {
  /**
   * The shared secret Redox sends: in the body of `POST /v1/redox/verify`, in the `verification-token`
   * header of `POST /v1/redox`. Unset: both routes answer 401 to everyone.
   */
  @Expose() @IsOptional() @IsString() REDOX_VERIFICATION_TOKEN?: string;
}

export interface RedoxConfig {
  verificationToken?: string;
}

export function loadRedoxConfig(): RedoxConfig {
  const env = validateSection(RedoxEnvironment);
  return { verificationToken: env.REDOX_VERIFICATION_TOKEN };
}

export const redoxConfig = registerAs('redox', loadRedoxConfig);
