import { ApiError } from '../../../src/common/errors/api-error';
import { CliniciansService } from '../../../src/modules/clinics/clinicians/clinicians.service';
import { ClinicsService } from '../../../src/modules/clinics/clinics/clinics.service';

/**
 * The handlers' own identity check (authz.md §2.8): a token without a subject never reaches them over
 * HTTP (the token validators refuse it first), so it is checked here.
 */
describe('identity checks inside the Clinics services', () => {
  const unreachable = new Proxy(
    {},
    {
      get: () => {
        throw new Error('no dependency may be used before the identity check');
      },
    },
  );
  const principal = { subjectId: '', isServer: false };

  it('should answer 400 "expected authenticated user id" to CreateClinic without a subject', async () => {
    const service = new ClinicsService(...(Array(8).fill(unreachable) as ConstructorParameters<typeof ClinicsService>));
    const error = await service
      .createClinic(principal, { name: 'x', preferredBgUnits: 'mg/dL' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, message: 'expected authenticated user id' });
  });

  it('should answer 400 "expected authenticated user id" to UpdateClinician without a subject', async () => {
    const service = new CliniciansService(
      ...(Array(6).fill(unreachable) as ConstructorParameters<typeof CliniciansService>),
    );
    const error = await service
      .updateClinician(principal, '0123456789abcdef01234567', '0123456789', { roles: ['CLINIC_MEMBER'] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, message: 'expected authenticated user id' });
  });
});
