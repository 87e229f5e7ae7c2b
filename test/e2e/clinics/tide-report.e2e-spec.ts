import { Types } from 'mongoose';
import { addClinician, createClinic, newObjectId } from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import { useTestApp } from '../../support/test-app';
import { expectDenials } from './expectations';

const HOUR_MS = 60 * 60 * 1000;

describe('TideReport — GET /v1/clinics/{clinicId}/tide_report', () => {
  const t = useTestApp();

  const report = (clinicId: string, token: string | undefined, query: Record<string, string | boolean | undefined>) =>
    t.call<any>('GET', `/v1/clinics/${clinicId}/tide_report`, { token, query });

  let counter = 0;
  /** A raw patient of the clinic with the given tags, last CGM data time and 7-day metrics. */
  function patientDoc(
    clinicId: string,
    tags: string[],
    options: { lastData?: Date | null; metrics?: Record<string, number>; extra?: Record<string, unknown> } = {},
  ) {
    counter += 1;
    const userId = (0x5000000000 + counter).toString(16);
    const doc: Record<string, unknown> = {
      _id: new Types.ObjectId(),
      clinicId: new Types.ObjectId(clinicId),
      userId,
      fullName: `Patient ${counter}`,
      fullNameKey: `patient ${counter}`,
      email: `patient${counter}@example.com`,
      tags: tags.map((tag) => new Types.ObjectId(tag)),
      createdTime: new Date(),
      updatedTime: new Date(),
      ...options.extra,
    };
    if (options.lastData !== null) {
      doc.summary = {
        cgmStats: {
          id: `${counter}`,
          dates: { lastData: options.lastData ?? new Date(Date.now() - HOUR_MS) },
          periods: { '7d': { ...options.metrics }, '14d': { timeInVeryLowPercent: 0.9 } },
        },
      };
    }
    return doc;
  }

  async function setup() {
    const created = await createClinic(t);
    const [tagA, tagB] = [newObjectId(), newObjectId()];
    return { ...created, tagA, tagB, tags: `${tagA},${tagB}`, server: await t.tokens.server() };
  }

  const insert = (docs: Array<Record<string, unknown>>) => t.connection.collection('patients').insertMany(docs);
  const ids = (results: any[] | undefined) => (results ?? []).map((result) => result.patient.id);
  const cutoff = () => new Date(Date.now() - 7 * 24 * HOUR_MS).toISOString();

  it('should deny prescribers, plain users and other clinics’ admins', async () => {
    const { clinicId, tags } = await setup();
    const prescriber = await addClinician(t, clinicId, ['PRESCRIBER']);
    const other = await createClinic(t);
    const outsider = await t.users.create();
    await expectDenials((token) => report(clinicId, token, { period: '7d', tags, lastDataCutoff: cutoff() }), {
      prescriber: prescriber.token,
      user: outsider.token,
      otherClinicAdmin: other.admin.token,
    });
  });

  it('should place each tagged patient once, in the default categories, ordered, with noData', async () => {
    const { clinicId, admin, tagA, tagB, tags } = await setup();
    const both = [tagA, tagB];
    const old = new Date(Date.now() - 30 * 24 * HOUR_MS);
    const p = {
      veryLowHigh: patientDoc(clinicId, both, { metrics: { timeInVeryLowPercent: 0.05, timeInAnyLowPercent: 0.1 } }),
      veryLowLow: patientDoc(clinicId, both, { metrics: { timeInVeryLowPercent: 0.02 } }),
      anyLow: patientDoc(clinicId, both, { metrics: { timeInAnyLowPercent: 0.06, timeInVeryLowPercent: 0 } }),
      veryHigh: patientDoc(clinicId, both, { metrics: { timeInVeryHighPercent: 0.1, timeInAnyHighPercent: 0.3 } }),
      anyHigh: patientDoc(clinicId, both, { metrics: { timeInAnyHighPercent: 0.3 } }),
      almostTarget: patientDoc(clinicId, both, {
        metrics: { timeInTargetPercent: 0.75, timeCGMUsePercent: 0.9, timeInAnyHighPercent: 0.26 },
      }),
      drop: patientDoc(clinicId, both, { metrics: { timeInTargetPercentDelta: -0.2, timeInTargetPercent: 0.5 } }),
      lowUse: patientDoc(clinicId, both, { metrics: { timeCGMUsePercent: 0.5 } }),
      meeting: patientDoc(clinicId, both, { metrics: { timeInTargetPercent: 0.8, timeCGMUsePercent: 0.9 } }),
      meetingBest: patientDoc(clinicId, both, { metrics: { timeInTargetPercent: 0.95, timeCGMUsePercent: 0.95 } }),
      uncategorised: patientDoc(clinicId, both, { metrics: { timeInTargetPercent: 0.6 } }),
      oneTagOnly: patientDoc(clinicId, [tagA], { metrics: { timeInVeryLowPercent: 0.5 } }),
      stale: patientDoc(clinicId, both, { lastData: old, metrics: { timeInVeryLowPercent: 0.5 } }),
      noSummary: patientDoc(clinicId, both, { lastData: null }),
      dexcomPending: patientDoc(clinicId, both, {
        lastData: new Date(Date.now() - 10 * HOUR_MS),
        metrics: { timeInTargetPercent: 0.5 },
        extra: { dataSources: [{ providerName: 'dexcom', state: 'pending' }] },
      }),
    };
    await insert(Object.values(p));
    const other = await createClinic(t);
    await insert([patientDoc(other.clinicId, both, { metrics: { timeInVeryLowPercent: 0.9 } })]);
    const id = (doc: Record<string, unknown>) => doc.userId as string;

    const res = await report(clinicId, admin.token, { period: '7d', tags, lastDataCutoff: cutoff() });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.results)).toEqual([
      'timeInVeryLowPercent',
      'timeInAnyLowPercent',
      'timeInVeryHighPercent',
      'timeInAnyHighPercent',
      'dropInTimeInTargetPercent',
      'timeCGMUsePercent',
      'meetingTargets',
      'noData',
    ]);
    const results = res.body.results;
    expect(ids(results.timeInVeryLowPercent)).toEqual([id(p.veryLowHigh), id(p.veryLowLow)]);
    expect(ids(results.timeInAnyLowPercent)).toEqual([id(p.anyLow)]);
    expect(ids(results.timeInVeryHighPercent)).toEqual([id(p.veryHigh)]);
    expect(ids(results.timeInAnyHighPercent)).toEqual([id(p.anyHigh), id(p.almostTarget)]);
    expect(ids(results.dropInTimeInTargetPercent)).toEqual([id(p.drop)]);
    expect(ids(results.timeCGMUsePercent)).toEqual([id(p.lowUse)]);
    expect(ids(results.meetingTargets)).toEqual([id(p.meetingBest), id(p.meeting)]);
    // No data first, then the oldest; a recent-enough patient with a pending Dexcom source too.
    expect(ids(results.noData)).toEqual([id(p.noSummary), id(p.stale), id(p.dexcomPending)]);

    expect(res.body.config).toEqual({
      clinicId,
      period: '7d',
      lastDataCutoff: expect.any(String),
      schemaVersion: 2,
      tags: [tagA, tagB],
      highGlucoseThreshold: 10.0,
      lowGlucoseThreshold: 3.9,
      veryHighGlucoseThreshold: 13.9,
      veryLowGlucoseThreshold: 3.0,
      extremeHighGlucoseThreshold: 19.4,
      filters: {
        timeInVeryLowPercent: '>0.01',
        timeInAnyLowPercent: '>0.04',
        dropInTimeInTargetPercent: '<-0.15',
        timeInTargetPercent: '<0.7',
        timeCGMUsePercent: '<0.7',
      },
    });
  });

  it('should answer every result field of the chosen period', async () => {
    const { clinicId, server, tagA } = await setup();
    const metrics = {
      averageGlucoseMmol: 8.1,
      glucoseManagementIndicator: 7.2,
      timeCGMUseMinutes: 9000,
      timeCGMUsePercent: 0.93,
      timeInVeryLowPercent: 0.02,
      timeInAnyLowPercent: 0.05,
      timeInLowPercent: 0.03,
      timeInTargetPercent: 0.6,
      timeInTargetPercentDelta: 0.01,
      timeInHighPercent: 0.2,
      timeInVeryHighPercent: 0.1,
      timeInExtremeHighPercent: 0.02,
      timeInAnyHighPercent: 0.35,
    };
    const lastData = new Date(Date.now() - HOUR_MS);
    const reviewTime = new Date('2024-04-04T04:04:04.000Z');
    const doc = patientDoc(clinicId, [tagA], {
      lastData,
      metrics: { ...metrics, timeInVeryLowRecords: 4 },
      extra: {
        reviews: [{ clinicianId: 'abcdef0123', time: reviewTime }],
        dataSources: [{ providerName: 'abbott', state: 'connected' }],
      },
    });
    await insert([doc]);
    const res = await report(clinicId, server, {
      period: '7d',
      tags: tagA,
      lastDataCutoff: cutoff(),
      categories: 'timeInVeryLowPercent',
      excludeNoData: true,
    });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual({
      timeInVeryLowPercent: [
        {
          patient: {
            id: doc.userId,
            email: doc.email,
            fullName: doc.fullName,
            tags: [tagA],
            reviews: [{ clinicianId: 'abcdef0123', time: reviewTime.toISOString() }],
            dataSources: [{ providerName: 'abbott', state: 'connected' }],
          },
          lastData: lastData.toISOString(),
          ...metrics,
        },
      ],
    });
  });

  it('should take requested categories in order, once each, and leave out noData when asked', async () => {
    const { clinicId, admin, tagA } = await setup();
    const target = patientDoc(clinicId, [tagA], {
      metrics: { timeInTargetPercent: 0.5, timeInExtremeHighPercent: 0.05 },
    });
    await insert([target, patientDoc(clinicId, [tagA], { lastData: null })]);
    const res = await report(clinicId, admin.token, {
      period: '7d',
      tags: tagA,
      lastDataCutoff: cutoff(),
      categories: 'timeInTargetPercent,timeInExtremeHighPercent,timeInTargetPercent',
      excludeNoData: true,
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.results)).toEqual(['timeInTargetPercent', 'timeInExtremeHighPercent']);
    expect(ids(res.body.results.timeInTargetPercent)).toEqual([target.userId]);
    expect(res.body.results.timeInExtremeHighPercent).toEqual([]);
  });

  it('should stop at 100 patients over all categories, while noData lists up to 50 apart from them', async () => {
    const { clinicId, server, tagA } = await setup();
    const lows = Array.from({ length: 90 }, (_, i) =>
      patientDoc(clinicId, [tagA], { metrics: { timeInVeryLowPercent: 0.02 + i / 1000 } }),
    );
    const anyLows = Array.from({ length: 20 }, (_, i) =>
      patientDoc(clinicId, [tagA], { metrics: { timeInAnyLowPercent: 0.05 + i / 1000 } }),
    );
    const highs = Array.from({ length: 5 }, () =>
      patientDoc(clinicId, [tagA], { metrics: { timeInVeryHighPercent: 0.5 } }),
    );
    const noData = Array.from({ length: 60 }, () => patientDoc(clinicId, [tagA], { lastData: null }));
    await insert([...lows, ...anyLows, ...highs, ...noData]);

    const res = await report(clinicId, server, { period: '7d', tags: tagA, lastDataCutoff: cutoff() });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.results)).toEqual(['timeInVeryLowPercent', 'timeInAnyLowPercent', 'noData']);
    expect(ids(res.body.results.timeInVeryLowPercent)).toEqual(ids(lows.slice().reverse().map(asResult)));
    // The budget's last 10 places go to the 10 highest of the next category.
    expect(ids(res.body.results.timeInAnyLowPercent)).toEqual(ids(anyLows.slice(10).reverse().map(asResult)));
    expect(res.body.results.noData).toHaveLength(50);
  });

  it('should refuse a zero or missing cutoff, a bad period, tags or category with 400', async () => {
    const { clinicId, server, tagA } = await setup();
    expectError(
      await report(clinicId, server, { period: '7d', tags: tagA, lastDataCutoff: '0001-01-01T00:00:00Z' }),
      400,
      'bad request: no lastDataCutoff provided',
    );
    expectValidationError(await report(clinicId, server, { period: '7d', tags: tagA }), 'lastDataCutoff');
    expectValidationError(
      await report(clinicId, server, { period: '2d', tags: tagA, lastDataCutoff: cutoff() }),
      'period',
    );
    expectValidationError(await report(clinicId, server, { tags: tagA, lastDataCutoff: cutoff() }), 'period');
    expectValidationError(await report(clinicId, server, { period: '7d', lastDataCutoff: cutoff() }), 'tags');
    expectValidationError(
      await report(clinicId, server, { period: '7d', tags: 'xyz', lastDataCutoff: cutoff() }),
      'tags',
    );
    expectValidationError(
      await report(clinicId, server, { period: '7d', tags: tagA, lastDataCutoff: cutoff(), categories: 'nope' }),
      'categories',
    );
  });
});

function asResult(doc: Record<string, unknown>) {
  return { patient: { id: doc.userId } };
}
