import { ESLint, Linter } from 'eslint';
import tseslint from 'typescript-eslint';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const writeGateRules = require('../../../scripts/lint/write-gate-rules.cjs') as Linter.Config[];

/** The lint rules that keep every clinic and confirmation write inside a write gate. */
describe('write gate lint rules', () => {
  const eslint = new ESLint({
    cwd: `${__dirname}/../../..`,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...writeGateRules],
  });

  const problems = async (filePath: string, code: string): Promise<string[]> => {
    const [result] = await eslint.lintText(code, { filePath });
    return result.messages.map((message) => message.message);
  };

  it('should reject a repository that writes', async () => {
    const code = `
      export class ClinicsRepository {
        constructor(private readonly clinics: any) {}
        async rename(id: string) { await this.clinics.updateOne({ _id: id }, { $set: { name: 'x' } }).exec(); }
      }`;
    expect(await problems('src/modules/clinics/clinics/clinics.repository.ts', code)).toEqual([
      'Repositories only read; writes belong to a writer class that a write gate hands out.',
    ]);
  });

  it('should accept a repository that only reads, and a writer class beside it', async () => {
    const code = `
      export class ClinicsRepository {
        constructor(private readonly clinics: any) {}
        findById(id: string) { return this.clinics.findOne({ _id: id }).lean().exec(); }
      }
      export class ClinicsWriter {
        constructor(private readonly clinics: any) {}
        async rename(id: string) { await this.clinics.updateOne({ _id: id }, { $set: { name: 'x' } }).exec(); }
      }`;
    expect(await problems('src/modules/clinics/clinics/clinics.repository.ts', code)).toEqual([]);
  });

  it('should reject a service that makes its own writer or injects a model', async () => {
    const code = `
      import { InjectModel } from '@nestjs/mongoose';
      export class ClinicsService {
        constructor(@InjectModel('ClinicRecord') private readonly clinics: any) {}
        rename(scope: any, id: string) { return new ClinicsWriter(scope, id, this.clinics).setTier('x'); }
      }`;
    expect(await problems('src/modules/clinics/clinics/clinics.service.ts', code)).toEqual([
      'Models belong to repositories (reads) and write gates (writes); inject those instead.',
      'Writers are created only by a write gate: run the work through the gate (e.g. ClinicWriteGate.run).',
    ]);
  });

  it('should let a write gate make writers', async () => {
    const code = `
      import { InjectModel } from '@nestjs/mongoose';
      export class ClinicWriteGate {
        constructor(@InjectModel('ClinicRecord') private readonly clinics: any) {}
        run(scope: any, id: string) { return new ClinicsWriter(scope, id, this.clinics); }
      }`;
    expect(await problems('src/modules/clinics/clinic-write-gate.ts', code)).toEqual([]);
  });
});
