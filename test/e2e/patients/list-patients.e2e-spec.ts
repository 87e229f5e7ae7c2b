import { seedClinician } from '../../support/builders';
import { useTestApp } from '../../support/test-app';
import {
  buildFixture,
  byName,
  capitalize,
  compareValues,
  Fixture,
  LIST_PARAMETERS,
  Period,
  PERIOD_FIELDS,
  PERIODS,
  sortDocs,
  SummaryType,
  userIds,
  valueAt,
} from './list-patients.fixture';

/**
 * ListPatients over a data set of 64 patients (and 5 of another clinic): every filter of
 * behavior-patients.md §4.1, every documented range filter (decisions.md §2: any decimal or integer
 * value, none ignored) and every sort attribute of §4.3. Expected ids come from the fixture's plain-JS
 * reference rules applied to the seeded documents.
 */
describe('ListPatients filters and sorts', () => {
  const t = useTestApp();
  let token: string;
  const fixture: Fixture = buildFixture(64);
  const { patients } = fixture;

  beforeAll(async () => {
    await t.connection.collection('patients').insertMany([...fixture.others, ...patients]);
    token = (await seedClinician(t, fixture.clinicId, ['CLINIC_MEMBER'])).token;
  });

  async function list(query: Record<string, string | number | boolean | undefined>): Promise<any> {
    const res = await t.call<any>('GET', `/v1/clinics/${fixture.clinicId}/patients`, {
      token,
      query: { limit: 1000, ...query },
    });
    expect({ query, status: res.status, body: res.status === 200 ? 'ok' : res.body }).toEqual({
      query,
      status: 200,
      body: 'ok',
    });
    return res.body;
  }

  /** Lists with the query and expects exactly these patients, in this order, and the counts. */
  async function expectListed(query: Record<string, string | number | boolean | undefined>, expected: any[]) {
    const body = await list(query);
    expect({ query, ids: body.data.map((patient: any) => patient.id) }).toEqual({ query, ids: userIds(expected) });
    expect(body.meta).toEqual({ count: expected.length, totalCount: patients.length });
    return body;
  }

  const filtered = (predicate: (doc: any) => boolean) => byName(patients.filter(predicate));

  describe('default order and counts', () => {
    it('should list every patient of the clinic (and no other) by name case-insensitively, then _id', async () => {
      await expectListed({}, byName(patients));
      // Names differing only in case or repeated sit together; the unnamed patient comes first.
      const names = byName(patients).map((doc) => doc.fullName);
      expect(names[0]).toBeNull();
      expect(new Set(patients.map((doc) => doc.fullName?.toLowerCase())).size).toBeLessThan(patients.length);
    });

    it('should default to 10 patients', async () => {
      const res = await t.call<any>('GET', `/v1/clinics/${fixture.clinicId}/patients`, { token });
      expect(res.status).toBe(200);
      expect(res.body.data.map((patient: any) => patient.id)).toEqual(userIds(byName(patients).slice(0, 10)));
      expect(res.body.meta).toEqual({ count: 64, totalCount: 64 });
    });

    it('should page with offset and limit, counting every match', async () => {
      const all = byName(patients);
      for (const [offset, limit] of [
        [0, 7],
        [7, 7],
        [60, 10],
        [64, 5],
        [200, 1],
      ]) {
        const res = await t.call<any>('GET', `/v1/clinics/${fixture.clinicId}/patients`, {
          token,
          query: { offset, limit },
        });
        expect(res.status).toBe(200);
        expect(res.body.data.map((patient: any) => patient.id)).toEqual(userIds(all.slice(offset, offset + limit)));
        expect(res.body.meta).toEqual({ count: 64, totalCount: 64 });
      }
    });

    it('should page a filtered, sorted list', async () => {
      const tag = fixture.tagIds[0];
      const expected = sortDocs(
        patients.filter((doc) => doc.tags?.some((id: any) => id.equals(tag))),
        [[(doc) => doc.birthDate, -1]],
      );
      const body = await list({ tags: tag.toHexString(), sort: '-birthDate', sortType: 'cgm', offset: 2, limit: 3 });
      expect(body.data.map((patient: any) => patient.id)).toEqual(userIds(expected.slice(2, 5)));
      expect(body.meta).toEqual({ count: expected.length, totalCount: 64 });
    });
  });

  describe('search', () => {
    const matches = (term: string) => (doc: any) =>
      [doc.fullName, doc.email, doc.mrn, doc.birthDate].some(
        (value) => typeof value === 'string' && value.toLowerCase().includes(term.toLowerCase()),
      );

    it.each([
      ['a name, any case', 'ALICE'],
      ['part of a last name', 'mit'],
      ['regex metacharacters taken literally', 'ann.marie (jr.) o+b'],
      ['a dot is not a wildcard', 'Ann.M'],
      ['an e-mail with metacharacters', 'A+B.C@'],
      ['an e-mail domain', 'example.com'],
      ['an MRN, case-insensitively', 'mrn10'],
      ['an MRN suffix', '5X'],
      ['a birth date', '-03-1'],
      ['nothing', 'zzzz-no-match'],
      ['a bracket', '['],
    ])('should find %s (%s)', async (_label, term) => {
      const expected = filtered(matches(term));
      await expectListed({ search: term }, expected);
    });

    it('should tell a dot from any character', async () => {
      const body = await list({ search: 'ann.marie' });
      expect(body.data.map((patient: any) => patient.fullName)).toEqual(['Ann.Marie (Jr.) O+Brien']);
    });
  });

  describe('tags and sites', () => {
    const hasTag = (doc: any, id: any) => Array.isArray(doc.tags) && doc.tags.some((tag: any) => tag.equals(id));
    const atSite = (doc: any, id: any) => Array.isArray(doc.sites) && doc.sites.some((site: any) => site.id.equals(id));
    const withoutAny = (field: string) => (doc: any) =>
      doc[field] === undefined || (Array.isArray(doc[field]) && doc[field].length === 0);

    it('should list patients with a tag', async () => {
      const [tag] = fixture.tagIds;
      await expectListed(
        { tags: tag.toHexString() },
        filtered((doc) => hasTag(doc, tag)),
      );
    });

    it('should list patients with all of several tags, ignoring invalid ids', async () => {
      const [first, second] = fixture.tagIds;
      const expected = filtered((doc) => hasTag(doc, first) && hasTag(doc, second));
      expect(expected.length).toBeGreaterThan(0);
      await expectListed({ tags: `${first.toHexString()},not-an-id,${second.toHexString()}` }, expected);
    });

    it('should list patients without tags for an empty (or all-invalid) list; a stored null is not "without"', async () => {
      const expected = filtered(withoutAny('tags'));
      expect(patients.some((doc) => doc.tags === null)).toBe(true);
      await expectListed({ tags: '' }, expected);
      await expectListed({ tags: 'zzz,123' }, expected);
    });

    it('should list patients at any of several sites', async () => {
      const [first, second] = fixture.siteIds;
      await expectListed(
        { sites: `${first.toHexString()},${second.toHexString()}` },
        filtered((doc) => atSite(doc, first) || atSite(doc, second)),
      );
    });

    it('should list patients without sites for an empty list', async () => {
      await expectListed({ sites: '' }, filtered(withoutAny('sites')));
    });

    it('should combine tags and sites', async () => {
      const [tag] = fixture.tagIds;
      await expectListed(
        { tags: tag.toHexString(), sites: '' },
        filtered((doc) => hasTag(doc, tag) && withoutAny('sites')(doc)),
      );
    });
  });

  describe('reviews, ranges and last data', () => {
    it('should list patients last reviewed at or before a time (never the unreviewed)', async () => {
      const reviewed = patients.filter((doc) => doc.reviews?.length).map((doc) => doc.reviews[0].time as Date);
      reviewed.sort((a, b) => a.getTime() - b.getTime());
      const cutoff = reviewed[Math.floor(reviewed.length / 2)];
      const expected = filtered((doc) => doc.reviews?.[0] && doc.reviews[0].time.getTime() <= cutoff.getTime());
      await expectListed({ lastReviewed: cutoff.toISOString() }, expected);
      // Inclusive: the cutoff patient itself is listed.
      expect(expected.some((doc) => doc.reviews[0].time.getTime() === cutoff.getTime())).toBe(true);
    });

    it('should omit patients on non-standard glycemic ranges when asked', async () => {
      const expected = filtered(
        (doc) => doc.glycemicRanges === undefined || doc.glycemicRanges.preset === 'adaStandard',
      );
      await expectListed({ omitNonStandardRanges: true }, expected);
      await expectListed({ omitNonStandardRanges: false }, byName(patients));
    });

    it.each(['cgm', 'bgm'] as const)('should filter on %s last data: from inclusive, to exclusive', async (type) => {
      const times = patients
        .map((doc) => valueAt(doc, `summary.${type}Stats.dates.lastData`) as Date | undefined)
        .filter((time): time is Date => time instanceof Date)
        .sort((a, b) => a.getTime() - b.getTime());
      const from = times[Math.floor(times.length / 4)];
      const to = times[Math.floor((times.length * 3) / 4)];
      const lastData = (doc: any) => valueAt(doc, `summary.${type}Stats.dates.lastData`) as Date | undefined;
      await expectListed(
        { [`${type}.lastDataFrom`]: from.toISOString(), [`${type}.lastDataTo`]: to.toISOString() },
        filtered((doc) => !!lastData(doc) && lastData(doc)! >= from && lastData(doc)! < to),
      );
      await expectListed(
        { [`${type}.lastDataFrom`]: from.toISOString() },
        filtered((doc) => !!lastData(doc) && lastData(doc)! >= from),
      );
      // The zero time means "not given".
      await expectListed({ [`${type}.lastDataTo`]: '0001-01-01T00:00:00Z' }, byName(patients));
    });
  });

  describe('range filters', () => {
    const rangeParameters = LIST_PARAMETERS.filter(
      (parameter) => /^(cgm|bgm)\./.test(parameter.name) && parameter.schema.pattern,
    );
    const OPERATORS = ['<', '<=', '>', '>='] as const;
    const compare = {
      '<': (a: number, b: number) => a < b,
      '<=': (a: number, b: number) => a <= b,
      '>': (a: number, b: number) => a > b,
      '>=': (a: number, b: number) => a >= b,
    };

    it('should cover every documented range filter', () => {
      expect(rangeParameters.length).toBe(112);
    });

    interface Condition {
      name: string;
      path: string;
      operator: (typeof OPERATORS)[number];
      threshold: number;
      /** The query value, e.g. `>=0.41235` or `<-12`. */
      value: string;
    }

    /**
     * A condition on one parameter, its threshold at a quantile of the values stored for the metric: an
     * integer for IntFilters, five decimals for FloatFilters (negative ones for many deltas, above 10 for
     * the large metrics).
     */
    function conditionFor(
      name: string,
      pattern: string,
      operator: Condition['operator'],
      quantile: number,
      period: Period,
    ): Condition {
      const [type, metric] = name.split('.') as [SummaryType, string];
      const isInteger = !pattern.includes('\\.');
      const path = `summary.${type}Stats.periods.${period}.${metric}`;
      const values = patients
        .map((doc) => valueAt(doc, path))
        .filter((value): value is number => typeof value === 'number')
        .sort((a, b) => a - b);
      expect({ name, period, stored: values.length > 10 }).toEqual({ name, period, stored: true });
      const pivot = values[Math.floor(values.length * quantile)];
      const threshold = isInteger ? Math.round(pivot) : Number((pivot + 0.00005).toFixed(5));
      return { name, path, operator, threshold, value: `${operator}${isInteger ? threshold : threshold.toFixed(5)}` };
    }

    const holds = (doc: any, condition: Condition) => {
      const stored = valueAt(doc, condition.path);
      return typeof stored === 'number' && compare[condition.operator](stored, condition.threshold);
    };

    /** The patients that meet every other condition but not this one. */
    const excludedOnlyBy = (condition: Condition, conditions: Condition[]) =>
      patients.filter(
        (doc) => conditions.every((other) => other === condition || holds(doc, other)) && !holds(doc, condition),
      );

    /**
     * Four filters per request (CGM and BGM mixed), each one load-bearing: some patient meets the other
     * three but not it, so a filter the service ignored or misread would change the answer. Thresholds
     * start at the quartile that keeps most patients and move until some patient meets all four and
     * every filter bears load.
     */
    function groupOf(members: typeof rangeParameters, group: number) {
      const period = PERIODS[group % PERIODS.length];
      const candidates = members.map((parameter, slot) =>
        [0.25, 0.4, 0.15, 0.55].flatMap((quantile) =>
          [0, 1, 2, 3].map((turn) => {
            const operator = OPERATORS[(group + slot + turn) % OPERATORS.length];
            return conditionFor(
              parameter.name,
              parameter.schema.pattern!,
              operator,
              operator.startsWith('>') ? quantile : 1 - quantile,
              period,
            );
          }),
        ),
      );
      const choice = members.map(() => 0);
      for (let attempt = 0; attempt < 200; attempt++) {
        const conditions = choice.map((index, slot) => candidates[slot][index]);
        const anyListed = patients.some((doc) => conditions.every((condition) => holds(doc, condition)));
        const weak = anyListed
          ? conditions.findIndex((condition) => excludedOnlyBy(condition, conditions).length === 0)
          : attempt % conditions.length;
        if (weak < 0) break;
        choice[weak] = (choice[weak] + 1) % candidates[weak].length;
      }
      const conditions = choice.map((index, slot) => candidates[slot][index]);
      return { label: `${conditions.map((c) => `${c.name}${c.value}`).join(' & ')} (${period})`, period, conditions };
    }

    const GROUPS = 28;
    const groups = Array.from({ length: GROUPS }, (_unused, group) =>
      groupOf(
        [0, 1, 2, 3].map((slot) => rangeParameters[group + slot * GROUPS]),
        group,
      ),
    );

    it('should put every range filter in one group', () => {
      const grouped = groups.flatMap((group) => group.conditions.map((condition) => condition.name));
      expect(grouped.sort()).toEqual(rangeParameters.map((parameter) => parameter.name).sort());
    });

    it.each(groups.map((group) => [group.label, group] as const))('%s', async (_label, { period, conditions }) => {
      const expected = filtered((doc) => conditions.every((condition) => holds(doc, condition)));
      expect(expected.length).toBeGreaterThan(0);
      for (const condition of conditions) {
        expect({ filter: condition.name, loadBearing: excludedOnlyBy(condition, conditions).length > 0 }).toEqual({
          filter: condition.name,
          loadBearing: true,
        });
      }
      const query = Object.fromEntries(conditions.map((condition) => [condition.name, condition.value]));
      await expectListed({ ...query, period }, expected);
    });

    it('should use the 14d period by default', async () => {
      const path = 'summary.cgmStats.periods.14d.timeInTargetPercent';
      await expectListed(
        { 'cgm.timeInTargetPercent': '>=0.5' },
        filtered((doc) => (valueAt(doc, path) as number) >= 0.5),
      );
    });

    it('should accept integers, signs, leading dots and trailing dots on FloatFilters', async () => {
      const path = (metric: string) => `summary.cgmStats.periods.14d.${metric}`;
      const cases: Array<[string, string, (value: number) => boolean]> = [
        ['cgm.averageGlucoseMmol', '>=10', (value) => value >= 10],
        ['cgm.averageGlucoseMmol', '<+12.', (value) => value < 12],
        ['cgm.timeInTargetPercent', '>.25', (value) => value > 0.25],
        ['cgm.timeInTargetPercentDelta', '<-0.05', (value) => value < -0.05],
        ['cgm.timeInTargetMinutes', '>=10000', (value) => value >= 10000],
        ['cgm.totalRecordsDelta', '<-100', (value) => value < -100],
      ];
      for (const [name, value, test] of cases) {
        const metric = name.split('.')[1];
        await expectListed(
          { [name]: value },
          filtered(
            (doc) => typeof valueAt(doc, path(metric)) === 'number' && test(valueAt(doc, path(metric)) as number),
          ),
        );
      }
    });

    it('should filter bgm.timeInVeryHighPercent on that metric alone (no ExtremeHigh misfire)', async () => {
      const path = 'summary.bgmStats.periods.14d.timeInVeryHighPercent';
      const expected = filtered((doc) => (valueAt(doc, path) as number) > 0.2);
      expect(expected.length).toBeGreaterThan(0);
      await expectListed({ 'bgm.timeInVeryHighPercent': '>0.2' }, expected);
    });

    it('should AND CGM and BGM filters, search, sites and a sort', async () => {
      const [site] = fixture.siteIds;
      const cgm = 'summary.cgmStats.periods.7d.';
      const bgm = 'summary.bgmStats.periods.7d.';
      const expected = sortDocs(
        patients.filter(
          (doc) =>
            (valueAt(doc, `${cgm}timeInTargetPercent`) as number) >= 0.2 &&
            (valueAt(doc, `${bgm}averageGlucoseMmol`) as number) < 14.5 &&
            doc.sites?.some((entry: any) => entry.id.equals(site)) &&
            String(doc.email ?? '').includes('example'),
        ),
        [
          [(doc) => valueAt(doc, `${cgm}hasTimeInTargetPercent`), -1],
          [(doc) => valueAt(doc, `${cgm}timeInTargetPercent`), -1],
        ],
      );
      expect(expected.length).toBeGreaterThan(1);
      await expectListed(
        {
          period: '7d',
          'cgm.timeInTargetPercent': '>=0.2',
          'bgm.averageGlucoseMmol': '<14.5',
          sites: site.toHexString(),
          search: 'example',
          sort: '-timeInTargetPercent',
          sortType: 'cgm',
        },
        expected,
      );
    });
  });

  describe('sorting', () => {
    const RANGES = ['VeryLow', 'AnyLow', 'Low', 'Target', 'High', 'VeryHigh', 'ExtremeHigh', 'AnyHigh'];
    const withDeltas = (names: string[]) => names.flatMap((name) => [name, `${name}Delta`]);
    const DATES = ['lastUploadDate', 'lastData', 'firstData', 'outdatedSince'];
    // behavior-patients.md §4.3.
    const ATTRIBUTES: Record<SummaryType, string[]> = {
      cgm: [
        'fullName',
        'birthDate',
        'lastReviewed',
        ...DATES,
        'min',
        'max',
        'minDelta',
        'maxDelta',
        ...withDeltas([
          'averageGlucoseMmol',
          'glucoseManagementIndicator',
          'timeCGMUsePercent',
          ...RANGES.flatMap((range) => ['Percent', 'Records', 'Minutes'].map((unit) => `timeIn${range}${unit}`)),
          'totalRecords',
          'hoursWithData',
          'daysWithData',
          'standardDeviation',
          'coefficientOfVariation',
          'averageDailyRecords',
        ]),
      ],
      bgm: [
        'fullName',
        'birthDate',
        'lastReviewed',
        ...DATES,
        'min',
        'max',
        'minDelta',
        'maxDelta',
        ...withDeltas([
          'averageGlucoseMmol',
          ...RANGES.flatMap((range) => ['Percent', 'Records'].map((unit) => `timeIn${range}${unit}`)),
          'totalRecords',
          'standardDeviation',
          'coefficientOfVariation',
          'averageDailyRecords',
        ]),
      ],
    };

    /** §4.3: the attribute's path, behind its `has…` flag (descending) when the stored shape has one. */
    function expectedOrder(type: SummaryType, attribute: string, direction: 1 | -1, period: Period): any[] {
      const stats = `summary.${type}Stats`;
      if (attribute === 'fullName') {
        return sortDocs(patients, [[(doc) => (doc.fullName ? doc.fullName.toLowerCase() : null), direction]]);
      }
      if (attribute === 'birthDate') return sortDocs(patients, [[(doc) => doc.birthDate, direction]]);
      if (attribute === 'lastReviewed')
        return sortDocs(patients, [[(doc) => valueAt(doc, 'reviews.0.time'), direction]]);
      const base = DATES.includes(attribute) ? `${stats}.dates` : `${stats}.periods.${period}`;
      const flag = `has${capitalize(attribute)}`;
      const flagged = DATES.includes(attribute) || PERIOD_FIELDS[type].includes(flag);
      return sortDocs(patients, [
        ...(flagged ? [[(doc: any) => valueAt(doc, `${base}.${flag}`), -1] as [(doc: any) => unknown, -1]] : []),
        [(doc) => valueAt(doc, `${base}.${attribute}`), direction],
      ]);
    }

    const cases = (['cgm', 'bgm'] as const).flatMap((type) =>
      ATTRIBUTES[type].map((attribute, index) => {
        const direction: 1 | -1 = index % 2 === 0 ? -1 : 1;
        return [
          `${direction > 0 ? '+' : '-'}${attribute} (${type})`,
          type,
          attribute,
          direction,
          PERIODS[index % 4],
        ] as const;
      }),
    );

    it.each(cases)('%s', async (_label, type, attribute, direction, period) => {
      const expected = expectedOrder(type, attribute, direction, period);
      await expectListed({ sort: `${direction > 0 ? '+' : '-'}${attribute}`, sortType: type, period }, expected);
    });

    it.each([
      ['cgm', 'fullName'],
      ['cgm', 'lastData'],
      ['cgm', 'timeInTargetPercent'],
      ['cgm', 'timeInTargetPercentDelta'],
      ['bgm', 'min'],
      ['bgm', 'standardDeviation'],
    ] as const)('should sort %s %s both ways, empties last both ways when flagged', async (type, attribute) => {
      for (const direction of [1, -1] as const) {
        const expected = expectedOrder(type, attribute, direction, '14d');
        const body = await expectListed({ sort: `${direction > 0 ? '+' : '-'}${attribute}`, sortType: type }, expected);
        if (attribute === 'timeInTargetPercent' || attribute === 'lastData') {
          // Patients without the value (flag false or no summary at all) come last in both directions.
          const path =
            attribute === 'lastData'
              ? `summary.${type}Stats.dates.lastData`
              : `summary.${type}Stats.periods.14d.${attribute}`;
          const byId = new Map(patients.map((doc) => [doc.userId, doc]));
          const present = body.data.map((patient: any) => valueAt(byId.get(patient.id), path) !== undefined);
          expect(present).toEqual([...present].sort((a: boolean, b: boolean) => Number(b) - Number(a)));
          expect(present).toContain(false);
        }
      }
    });

    it('should break ties on _id ascending', async () => {
      const body = await list({ sort: '+min', sortType: 'cgm' });
      const byId = new Map(patients.map((doc) => [doc.userId, doc]));
      const rows = body.data.map((patient: any) => byId.get(patient.id));
      for (let index = 1; index < rows.length; index++) {
        const previous = valueAt(rows[index - 1], 'summary.cgmStats.periods.14d.min');
        const current = valueAt(rows[index], 'summary.cgmStats.periods.14d.min');
        if (compareValues(previous, current) === 0) {
          expect(rows[index - 1]._id.toHexString() < rows[index]._id.toHexString()).toBe(true);
        }
      }
    });
  });
});
