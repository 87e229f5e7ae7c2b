import { loadAppConfig } from '../../../src/config/app.config';
import { loadClinicsConfig } from '../../../src/config/clinics.config';
import { loadDatabaseConfig } from '../../../src/config/database.config';
import { loadHttpConfig } from '../../../src/config/http.config';
import { ConfigurationError } from '../../../src/config/validate-section';
import { describeDatabaseHost } from '../../../src/database/database-uri';

describe('configuration sections', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('should apply the documented defaults', () => {
    for (const key of ['PORT', 'HOST', 'LOG_LEVEL', 'LOG_PRETTY', 'DATA_DIR', 'MONGODB_URI', 'MONGODB_DATABASE']) {
      delete process.env[key];
    }
    expect(loadAppConfig()).toMatchObject({ port: 8080, logLevel: 'info', logPretty: false, dataDir: './data' });
    expect(loadDatabaseConfig()).toMatchObject({ uri: undefined, databaseName: 'clinic' });
  });

  it('should name the variable when a value is invalid', () => {
    process.env.PORT = 'eighty';
    expect(() => loadAppConfig()).toThrow(ConfigurationError);
    expect(() => loadAppConfig()).toThrow(/PORT/);
  });

  it('should reject an unknown log level and a non-MongoDB URI', () => {
    process.env.LOG_LEVEL = 'loud';
    expect(() => loadAppConfig()).toThrow(/LOG_LEVEL/);
    process.env.MONGODB_URI = 'postgres://localhost';
    expect(() => loadDatabaseConfig()).toThrow(/MONGODB_URI/);
  });

  it('should treat empty values as unset', () => {
    process.env.PORT = '';
    process.env.LOG_PRETTY = 'true';
    expect(loadAppConfig()).toMatchObject({ port: 8080, logPretty: true });
  });

  it('should read the demo patient user id, unset by default, and reject one that is not a user id', () => {
    delete process.env.DEMO_PATIENT_USER_ID;
    expect(loadClinicsConfig()).toEqual({ demoPatientUserId: undefined });
    process.env.DEMO_PATIENT_USER_ID = '0123456789';
    expect(loadClinicsConfig()).toEqual({ demoPatientUserId: '0123456789' });
    process.env.DEMO_PATIENT_USER_ID = 'demo';
    expect(() => loadClinicsConfig()).toThrow(/DEMO_PATIENT_USER_ID/);
  });

  it('should turn metrics on and CORS off by default, and read the CORS origins', () => {
    delete process.env.METRICS_ENABLED;
    delete process.env.CORS_ORIGINS;
    expect(loadHttpConfig()).toEqual({ metricsEnabled: true, corsOrigins: [] });
    process.env.METRICS_ENABLED = 'false';
    process.env.CORS_ORIGINS = 'https://app.example.com, http://localhost:3000';
    expect(loadHttpConfig()).toEqual({
      metricsEnabled: false,
      corsOrigins: ['https://app.example.com', 'http://localhost:3000'],
    });
    process.env.CORS_ORIGINS = 'https://app.example.com/path';
    expect(() => loadHttpConfig()).toThrow(/CORS_ORIGINS/);
    process.env.CORS_ORIGINS = '*';
    expect(() => loadHttpConfig()).toThrow(/CORS_ORIGINS/);
  });
});

describe('describeDatabaseHost', () => {
  it('should keep hosts and drop credentials, database and options', () => {
    expect(describeDatabaseHost('mongodb://user:s3cret@db1:27017,db2:27017/clinic?replicaSet=rs0')).toBe(
      'db1:27017,db2:27017',
    );
    expect(describeDatabaseHost('mongodb+srv://u:p@cluster0.example.net/x')).toBe('cluster0.example.net');
    expect(describeDatabaseHost('mongodb://127.0.0.1:27017')).toBe('127.0.0.1:27017');
  });
});
