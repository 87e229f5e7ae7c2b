import { loadXealthConfig } from '../../../src/config/xealth.config';
import { ConfigurationError } from '../../../src/config/validate-section';

const ENABLED = {
  XEALTH_ENABLED: 'true',
  XEALTH_BEARER_TOKEN: 'bearer',
  XEALTH_CLIENT_ID: 'client',
  XEALTH_CLIENT_SECRET: 'secret',
  XEALTH_TOKEN_URL: 'https://auth.example.com/oauth2/token',
  XEALTH_API_URL: 'https://api.example.com/v2/',
};

describe('Xealth configuration', () => {
  it('should be disabled by default, needing nothing else', () => {
    expect(loadXealthConfig({})).toEqual({ enabled: false });
    expect(loadXealthConfig({ XEALTH_ENABLED: 'false', XEALTH_CLIENT_ID: 'x' })).toEqual({ enabled: false });
  });

  it('should read every value when enabled (the API URL without its trailing slash)', () => {
    expect(loadXealthConfig(ENABLED)).toEqual({
      enabled: true,
      bearerToken: 'bearer',
      clientId: 'client',
      clientSecret: 'secret',
      tokenUrl: 'https://auth.example.com/oauth2/token',
      apiUrl: 'https://api.example.com/v2',
    });
  });

  it('should refuse to start when enabled without a required value, naming it', () => {
    for (const name of Object.keys(ENABLED).filter((key) => key !== 'XEALTH_ENABLED')) {
      const env = { ...ENABLED, [name]: '' };
      expect(() => loadXealthConfig(env)).toThrow(ConfigurationError);
      expect(() => loadXealthConfig(env)).toThrow(new RegExp(`${name} is required when XEALTH_ENABLED is true`));
    }
    expect(() => loadXealthConfig({ XEALTH_ENABLED: 'true' })).toThrow(
      /XEALTH_BEARER_TOKEN, XEALTH_CLIENT_ID, XEALTH_CLIENT_SECRET, XEALTH_TOKEN_URL, XEALTH_API_URL are required/,
    );
  });

  it('should reject an invalid switch or URL, naming the variable', () => {
    expect(() => loadXealthConfig({ XEALTH_ENABLED: 'yes please' })).toThrow(/XEALTH_ENABLED/);
    expect(() => loadXealthConfig({ ...ENABLED, XEALTH_TOKEN_URL: 'not a url' })).toThrow(/XEALTH_TOKEN_URL/);
  });
});
