import { PATIENT_TAG_NAME_PATTERN } from '../../../src/modules/clinics/tags/dto/patient-tag.dto';
import { patientTagKey } from '../../../src/modules/clinics/tags/patient-tag-errors';
import { SITE_NAME_PATTERN } from '../../../src/modules/clinics/sites/dto/site.dto';
import { freeSiteName, siteNameKey } from '../../../src/modules/clinics/sites/site-errors';

describe('tag and site names', () => {
  it('should compare tag names without spaces and case', () => {
    expect(patientTagKey('Foo Bar')).toBe(patientTagKey('foobar'));
    expect(patientTagKey(' F O O ')).toBe(patientTagKey('foo'));
    expect(patientTagKey('foo-bar')).not.toBe(patientTagKey('foobar'));
  });

  it('should accept the contract’s tag names and no others', () => {
    for (const name of ['Type 1', 'ÉTÉ', '<70', '+plus', '_x', 'a\tb', '日本']) {
      expect({ name, ok: PATIENT_TAG_NAME_PATTERN.test(name) }).toEqual({ name, ok: true });
    }
    for (const name of [' lead', 'semi;colon', 'dot.', '']) {
      expect({ name, ok: PATIENT_TAG_NAME_PATTERN.test(name) }).toEqual({ name, ok: false });
    }
  });

  it('should accept printable site names with inner spaces, not a leading space', () => {
    for (const name of ['North Wing', 'Clinic #2 (old)', 'Zürich', 'a']) {
      expect({ name, ok: SITE_NAME_PATTERN.test(name) }).toEqual({ name, ok: true });
    }
    for (const name of [' North', 'tab\there', '']) {
      expect({ name, ok: SITE_NAME_PATTERN.test(name) }).toEqual({ name, ok: false });
    }
  });

  it('should compare site names case-insensitively', () => {
    expect(siteNameKey('Main Street')).toBe(siteNameKey('MAIN STREET'));
    expect(siteNameKey('Straße')).toBe(siteNameKey('STRASSE'));
  });

  it('should number a converted tag’s site name until it is free', () => {
    const taken = (...names: string[]) => new Set(names.map(siteNameKey));
    expect(freeSiteName('East', taken())).toBe('East');
    expect(freeSiteName('East', taken('east'))).toBe('East (2)');
    expect(freeSiteName('East', taken('East', 'East (2)', 'east (3)'))).toBe('East (4)');
  });
});
