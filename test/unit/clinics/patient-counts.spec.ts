import {
  isCurrentPatientCount,
  patientCountIncrement,
  toPatientCountValues,
} from '../../../src/modules/clinics/patients/patient-counts';

describe('patient count increments', () => {
  const demo = 'dddddddddd';
  const plain = { userId: 'aaaaaaaaaa', dataSources: null };
  const twiist = { userId: 'bbbbbbbbbb', dataSources: [{ providerName: 'twiist', state: 'connected' }] };
  const dexcom = {
    userId: 'bbbbbbbbbb',
    dataSources: [
      { providerName: 'dexcom', state: 'connected' },
      { providerName: 'dexcom', state: 'error' },
    ],
  };

  it('should count a new patient towards total and plan', () => {
    expect(patientCountIncrement(undefined, plain, demo)).toEqual({ 'patientCount.total': 1, 'patientCount.plan': 1 });
  });

  it('should count the demo patient as demo only, whatever its data sources', () => {
    expect(patientCountIncrement(undefined, { ...dexcom, userId: demo }, demo)).toEqual({
      'patientCount.total': 1,
      'patientCount.demo': 1,
    });
  });

  it('should keep twiist patients out of the plan and count every data source entry per provider and state', () => {
    expect(patientCountIncrement(undefined, twiist, demo)).toEqual({
      'patientCount.total': 1,
      'patientCount.providers.twiist.total': 1,
      'patientCount.providers.twiist.states.connected': 1,
    });
    expect(patientCountIncrement(undefined, dexcom, undefined)).toEqual({
      'patientCount.total': 1,
      'patientCount.plan': 1,
      'patientCount.providers.dexcom.total': 2,
      'patientCount.providers.dexcom.states.connected': 1,
      'patientCount.providers.dexcom.states.error': 1,
    });
  });

  it('should answer the difference for a change, nothing when nothing changes, and negatives for a deletion', () => {
    expect(patientCountIncrement(twiist, dexcom, demo)).toEqual({
      'patientCount.plan': 1,
      'patientCount.providers.twiist.total': -1,
      'patientCount.providers.twiist.states.connected': -1,
      'patientCount.providers.dexcom.total': 2,
      'patientCount.providers.dexcom.states.connected': 1,
      'patientCount.providers.dexcom.states.error': 1,
    });
    expect(patientCountIncrement(plain, { ...plain }, demo)).toEqual({});
    expect(patientCountIncrement(plain, undefined, demo)).toEqual({
      'patientCount.total': -1,
      'patientCount.plan': -1,
    });
  });

  it('should give up (recount) for provider names that cannot be field paths', () => {
    for (const providerName of ['a.b', '$x', '']) {
      expect(
        patientCountIncrement(undefined, { userId: 'x', dataSources: [{ providerName, state: 'connected' }] }, demo),
      ).toBeUndefined();
    }
  });

  it('should tell current counts from missing or older ones, and leave zero providers and states out', () => {
    expect(isCurrentPatientCount(undefined)).toBe(false);
    expect(isCurrentPatientCount({ patientCount: 3 } as never)).toBe(false);
    expect(isCurrentPatientCount({ total: 0, demo: 0, plan: 0 })).toBe(true);
    expect(
      toPatientCountValues({
        total: 2,
        demo: 0,
        plan: 1,
        providers: {
          dexcom: { total: 1, states: { connected: 1, error: 0 } },
          abbott: { total: 0, states: { pending: 0 } },
        },
      }),
    ).toEqual({ total: 2, demo: 0, plan: 1, providers: { dexcom: { total: 1, states: { connected: 1 } } } });
  });
});
