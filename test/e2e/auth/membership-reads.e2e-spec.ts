import { ClinicianMembershipRepository } from '../../../src/modules/clinics/clinicians/clinician-membership.repository';
import { addClinician, createClinic, newObjectId } from '../../support/builders';
import { expectError, FORBIDDEN_MESSAGE } from '../../support/expect-error';
import { useTestApp } from '../../support/test-app';

/** The authorization guard reads the caller's clinician record only when a membership rule decides. */
describe('membership reads by the authorization guard', () => {
  const t = useTestApp();
  let lookups: jest.SpyInstance;

  beforeEach(() => {
    lookups = jest.spyOn(ClinicianMembershipRepository.prototype, 'findMembership');
  });
  afterEach(() => lookups.mockRestore());

  it('should not read it when the rule that allows the call needs none (GetClinic, any user)', async () => {
    const { clinicId } = await createClinic(t);
    const outsider = await t.users.create();
    lookups.mockClear();

    expect((await t.call('GET', `/v1/clinics/${clinicId}`, { token: outsider.token })).status).toBe(200);
    expect((await t.call('GET', `/v1/clinics/${clinicId}/clinicians`, { token: await t.tokens.server() })).status).toBe(
      200,
    );
    expect(lookups).not.toHaveBeenCalled();
  });

  it('should read it once when a membership rule decides (ListClinicians by a member)', async () => {
    const { clinicId } = await createClinic(t);
    const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
    lookups.mockClear();

    const res = await t.call<any[]>('GET', `/v1/clinics/${clinicId}/clinicians`, { token: member.token });

    expect(res.status).toBe(200);
    expect(res.body.map((clinician) => clinician.id).sort()).toHaveLength(2);
    expect(lookups).toHaveBeenCalledTimes(1);
    expect(lookups).toHaveBeenCalledWith(clinicId, member.userId);
  });

  it('should answer 403 for a non-member of a clinic that does not exist, after one read', async () => {
    const caller = await t.users.create();
    lookups.mockClear();
    expectError(
      await t.call('GET', `/v1/clinics/${newObjectId()}/clinicians`, { token: caller.token }),
      403,
      FORBIDDEN_MESSAGE,
    );
    expect(lookups).toHaveBeenCalledTimes(1);
  });
});
