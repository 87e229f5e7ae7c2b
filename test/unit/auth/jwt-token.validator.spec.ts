import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, UnsecuredJWT } from 'jose';
import { JwtTokenIssuer } from '../../../src/auth/tokens/jwt-token.issuer';
import { JwtTokenValidator } from '../../../src/auth/tokens/jwt-token.validator';
import { DEVELOPMENT_SECRET_FILE, TokenKeys } from '../../../src/auth/tokens/token-keys';
import type { AppConfig } from '../../../src/config/app.config';
import type { AuthConfig } from '../../../src/config/auth.config';

const SECRET = 'a-test-secret-that-is-long-enough';
const secretBytes = new TextEncoder().encode(SECRET);

function authConfig(overrides: Partial<AuthConfig> = {}): AuthConfig {
  return { provider: 'jwt', serverName: 'clinic', userDirectory: 'embedded', tokenSecret: SECRET, ...overrides };
}

function appConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    production: false,
    logLevel: 'silent',
    logPretty: false,
    dataDir: mkdtempSync(join(tmpdir(), 'clinics-keys-')),
    shutdownTimeoutMs: 1000,
    ...overrides,
  };
}

function validator(auth = authConfig(), app = appConfig()): JwtTokenValidator {
  return new JwtTokenValidator(new TokenKeys(auth, app), auth);
}

const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

function sign(claims: Record<string, unknown>, alg = 'HS256', key: Uint8Array = secretBytes): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg }).setExpirationTime(inAnHour()).sign(key);
}

describe('JwtTokenValidator', () => {
  it('should accept a valid user token', async () => {
    const token = await sign({ usr: '0123456789', svr: 'no', dur: 3600 });
    await expect(validator().validate(token)).resolves.toEqual({ subjectId: '0123456789', isServer: false });
  });

  it('should accept a server token with svr "yes"', async () => {
    const token = await sign({ usr: 'hydrophone', svr: 'yes' });
    await expect(validator().validate(token)).resolves.toEqual({ subjectId: 'hydrophone', isServer: true });
  });

  it('should treat a token without svr as a user token', async () => {
    const token = await sign({ usr: '0123456789' });
    await expect(validator().validate(token)).resolves.toMatchObject({ isServer: false });
  });

  it.each([['maybe'], [true], [1]])('should reject svr value %p', async (svr) => {
    const token = await sign({ usr: '0123456789', svr });
    await expect(validator().validate(token)).resolves.toBeUndefined();
  });

  it('should carry the identity provider from the idp claim', async () => {
    const token = await sign({ usr: '0123456789', svr: 'no', idp: 'hospital-sso' });
    await expect(validator().validate(token)).resolves.toMatchObject({ identityProvider: 'hospital-sso' });
  });

  it('should reject an expired token', async () => {
    const token = await new SignJWT({ usr: '0123456789', svr: 'no' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(Math.floor(Date.now() / 1000) - 10)
      .sign(secretBytes);
    await expect(validator().validate(token)).resolves.toBeUndefined();
  });

  it('should reject a token without exp', async () => {
    const token = await new SignJWT({ usr: '0123456789', svr: 'no' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(secretBytes);
    await expect(validator().validate(token)).resolves.toBeUndefined();
  });

  it('should reject a token signed with another secret', async () => {
    const token = await sign(
      { usr: '0123456789', svr: 'no' },
      'HS256',
      new TextEncoder().encode('another-secret-of-enough-length'),
    );
    await expect(validator().validate(token)).resolves.toBeUndefined();
  });

  it('should reject alg none', async () => {
    const token = new UnsecuredJWT({ usr: '0123456789', svr: 'yes' }).setExpirationTime(inAnHour()).encode();
    await expect(validator().validate(token)).resolves.toBeUndefined();
  });

  it('should reject another HMAC algorithm even with the right secret', async () => {
    const token = await sign({ usr: '0123456789', svr: 'no' }, 'HS512', randomBytes(64));
    await expect(validator().validate(token)).resolves.toBeUndefined();
    const sameSecret = await sign({ usr: '0123456789', svr: 'no' }, 'HS384', secretBytes);
    await expect(validator().validate(sameSecret)).resolves.toBeUndefined();
  });

  it('should reject a token without usr, or with an empty one', async () => {
    await expect(validator().validate(await sign({ svr: 'no' }))).resolves.toBeUndefined();
    await expect(validator().validate(await sign({ usr: '', svr: 'no' }))).resolves.toBeUndefined();
  });

  it('should reject garbage', async () => {
    await expect(validator().validate('not.a.token')).resolves.toBeUndefined();
    await expect(validator().validate('')).resolves.toBeUndefined();
  });

  it('should check issuer and audience when configured', async () => {
    const strict = validator(authConfig({ tokenIssuer: 'tidepool', tokenAudience: 'clinic' }));
    const good = await new SignJWT({ usr: '0123456789', svr: 'no' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('tidepool')
      .setAudience('clinic')
      .setExpirationTime(inAnHour())
      .sign(secretBytes);
    await expect(strict.validate(good)).resolves.toMatchObject({ subjectId: '0123456789' });
    const wrongIssuer = await new SignJWT({ usr: '0123456789' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('someone-else')
      .setAudience('clinic')
      .setExpirationTime(inAnHour())
      .sign(secretBytes);
    await expect(strict.validate(wrongIssuer)).resolves.toBeUndefined();
    const noAudience = await new SignJWT({ usr: '0123456789' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('tidepool')
      .setExpirationTime(inAnHour())
      .sign(secretBytes);
    await expect(strict.validate(noAudience)).resolves.toBeUndefined();
  });

  describe('remembered tokens', () => {
    it('should answer a token it verified before with an equal principal of its own', async () => {
      const tokens = validator();
      const token = await sign({ usr: '0123456789', svr: 'no', idp: 'hospital-sso' });
      const first = await tokens.validate(token);
      first!.subjectId = 'changed by a caller';
      await expect(tokens.validate(token)).resolves.toEqual({
        subjectId: '0123456789',
        isServer: false,
        identityProvider: 'hospital-sso',
      });
    });

    it('should refuse a remembered token once it has expired', async () => {
      const tokens = validator();
      const expiresAt = Math.floor(Date.now() / 1000) + 1;
      const token = await new SignJWT({ usr: '0123456789', svr: 'no' })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime(expiresAt)
        .sign(secretBytes);
      await expect(tokens.validate(token)).resolves.toMatchObject({ subjectId: '0123456789' });
      await new Promise((resolve) => setTimeout(resolve, expiresAt * 1000 - Date.now() + 50));
      await expect(tokens.validate(token)).resolves.toBeUndefined();
    });
  });

  describe('RS256', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaConfig = authConfig({
      tokenSecret: undefined,
      tokenPublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });

    it('should accept an RS256 token signed with the private key', async () => {
      const token = await new SignJWT({ usr: '0123456789', svr: 'no' })
        .setProtectedHeader({ alg: 'RS256' })
        .setExpirationTime(inAnHour())
        .sign(privateKey);
      await expect(validator(rsaConfig).validate(token)).resolves.toMatchObject({ subjectId: '0123456789' });
    });

    it('should reject an HS256 token when only a public key is configured', async () => {
      const token = await sign({ usr: '0123456789', svr: 'yes' });
      await expect(validator(rsaConfig).validate(token)).resolves.toBeUndefined();
    });
  });

  describe('keys', () => {
    it('should create a development secret in DATA_DIR once and reuse it', async () => {
      const app = appConfig();
      const auth = authConfig({ tokenSecret: undefined });
      const issuer = new JwtTokenIssuer(new TokenKeys(auth, app), auth);
      const token = await issuer.issue({ subjectId: '0123456789', isServer: false });
      const file = join(app.dataDir, DEVELOPMENT_SECRET_FILE);
      expect(existsSync(file)).toBe(true);
      expect(readFileSync(file, 'utf8')).toMatch(/^[0-9a-f]{64}$/);
      // A second start (or the command-line tool) reads the same secret.
      await expect(validator(auth, app).validate(token)).resolves.toMatchObject({ subjectId: '0123456789' });
    });

    it('should refuse to start in production without a key', () => {
      expect(() => new TokenKeys(authConfig({ tokenSecret: undefined }), appConfig({ production: true }))).toThrow(
        /AUTH_TOKEN_SECRET.*production/,
      );
    });

    it('should mint tokens the validator accepts, with issuer and audience when configured', async () => {
      const auth = authConfig({ tokenIssuer: 'tidepool', tokenAudience: 'clinic' });
      const issuer = new JwtTokenIssuer(new TokenKeys(auth, appConfig()), auth);
      const token = await issuer.issue({ subjectId: 'orca', isServer: true });
      await expect(validator(auth).validate(token)).resolves.toEqual({ subjectId: 'orca', isServer: true });
    });
  });
});
