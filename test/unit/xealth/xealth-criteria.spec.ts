import { criteriaOf, ehrUserOf, isMinor } from '../../../src/modules/xealth/xealth-criteria';
import {
  getProgramsRequest,
  getProgramUrlRequest,
  preorderInitial,
  preorderSubsequent,
  readOrder,
} from '../../e2e/xealth/xealth.fixtures';

const EXPECTED = {
  firstName: 'FirstName First',
  lastName: 'LastName Last',
  fullName: 'FirstName First LastName Last',
  birthDate: '1985-01-11',
  email: 'home@example.com',
};

describe('Xealth patient criteria (behavior-integrations.md §2.2)', () => {
  it('should read the same criteria from pre-orders, orders, programs and program URL requests', () => {
    for (const request of [
      preorderInitial(),
      preorderSubsequent('id', {}),
      readOrder('order', 'id'),
      getProgramsRequest(),
      getProgramUrlRequest(),
    ]) {
      expect(criteriaOf(request, 'MRN')).toEqual({ mrn: '10052608740', ...EXPECTED });
      expect(criteriaOf(request, 'Enterprise')).toEqual({ mrn: 'e987655', ...EXPECTED });
    }
  });

  it('should answer 400 for a missing MRN, birth date, name, demographics or datasets', () => {
    const request: any = preorderInitial();
    expect(() => criteriaOf(request, 'passport')).toThrow('bad request: mrn is missing');
    expect(() => criteriaOf({ ...request, datasets: undefined }, 'MRN')).toThrow('bad request: datasets is missing');
    expect(() => criteriaOf({ ...request, datasets: { ehrUserV1: {} } }, 'MRN')).toThrow(
      'bad request: demographics dataset is missing',
    );
    const noDob = structuredClone(request);
    delete noDob.datasets.demographicsV1.birthDate;
    expect(() => criteriaOf(noDob, 'MRN')).toThrow('bad request: date of birth is missing');
    const noName = structuredClone(request);
    noName.datasets.demographicsV1.name = { given: [], family: [] };
    expect(() => criteriaOf(noName, 'MRN')).toThrow('bad request: full name is missing');
  });

  it('should leave the e-mail empty without an email telecom entry', () => {
    const request: any = preorderInitial({ email: null });
    expect(criteriaOf(request, 'MRN').email).toBe('');
  });

  it('should read the EHR user', () => {
    expect(ehrUserOf(getProgramsRequest())).toEqual({ userId: 'User_98768', systemLogin: 't_provider' });
    expect(ehrUserOf({ datasets: {} })).toBeUndefined();
  });

  it('should count a patient as a minor until the 13th birthday, an unreadable date as an adult', () => {
    const now = new Date('2026-06-15T12:00:00Z');
    expect(isMinor('2013-06-16', now)).toBe(true);
    expect(isMinor('2013-06-15', now)).toBe(false);
    expect(isMinor('1985-01-11', now)).toBe(false);
    expect(isMinor('2023-01-11', now)).toBe(true);
    expect(isMinor('not a date', now)).toBe(false);
  });
});
