import { Double } from 'mongodb';
import { ApiError } from '../../../src/common/errors/api-error';
import { matchFilterFor, patientMatchValues, sourceIdOf, toStoredMeta } from '../../../src/modules/redox/redox-order';
import { newOrder } from '../../e2e/redox/redox.fixtures';

function expectBadRequest(action: () => unknown, message: string): void {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    expect({ status: (error as ApiError).status, message: (error as ApiError).message }).toEqual({
      status: 400,
      message: `bad request: ${message}`,
    });
    return;
  }
  throw new Error('expected a 400');
}

describe('Redox orders: stored meta and matching values', () => {
  it('should keep the meta of an order with Redox key spelling, numeric ids as doubles', () => {
    const order = newOrder();
    const stored = toStoredMeta(order);
    expect(stored.Message?.ID).toBeInstanceOf(Double);
    expect(stored.Transmission?.ID).toBeInstanceOf(Double);
    expect({
      ...stored,
      Message: { ID: (stored.Message?.ID as Double).valueOf() },
      Transmission: { ID: (stored.Transmission?.ID as Double).valueOf() },
    }).toEqual({ ...order.Meta, FacilityCode: null });
  });

  it('should refuse a message without a non-empty data model and event type', () => {
    for (const payload of [
      undefined,
      null,
      'x',
      [],
      {},
      { Meta: null },
      { Meta: { DataModel: 'Order', EventType: '' } },
    ]) {
      expectBadRequest(() => toStoredMeta(payload), 'cannot process message with invalid metadata');
    }
  });

  it('should require the source id for clinic matching', () => {
    expect(sourceIdOf(toStoredMeta(newOrder({ sourceId: 'abc' })))).toBe('abc');
    const withoutSource = newOrder();
    delete withoutSource.Meta.Source;
    expectBadRequest(() => sourceIdOf(toStoredMeta(withoutSource)), 'source id is required');
    expectBadRequest(() => sourceIdOf(toStoredMeta(newOrder({ sourceId: '' }))), 'source id is required');
  });

  it('should take the MRN of the clinic identifier type (case-insensitively), the DOB and first + last name', () => {
    expect(patientMatchValues(newOrder(), 'mr')).toEqual({
      mrn: '0000000001',
      birthDate: '2008-01-06',
      fullName: 'Timothy Bixby',
    });
    const two = newOrder();
    two.Patient.Identifiers.push({ ID: 'second', IDType: 'MR' });
    expect(patientMatchValues(two, 'MR')?.mrn).toBe('0000000001');
  });

  it('should not search without an MRN, even when the birth date and name are missing', () => {
    expect(patientMatchValues(newOrder(), 'MRN')).toBeUndefined();
    const order = newOrder();
    order.Patient.Identifiers = [];
    delete order.Patient.Demographics;
    expect(patientMatchValues(order, 'MR')).toBeUndefined();
  });

  it('should answer 400 for an MRN without birth date or name', () => {
    const noDemographics = newOrder();
    delete noDemographics.Patient.Demographics;
    expectBadRequest(() => patientMatchValues(noDemographics, 'MR'), 'date of birth is missing');
    const noDob = newOrder();
    delete noDob.Patient.Demographics.DOB;
    expectBadRequest(() => patientMatchValues(noDob, 'MR'), 'date of birth is missing');
    const noName = newOrder();
    noName.Patient.Demographics.FirstName = null;
    delete noName.Patient.Demographics.LastName;
    expectBadRequest(() => patientMatchValues(noName, 'MR'), 'full name is missing');
    const lastOnly = newOrder();
    lastOnly.Patient.Demographics.FirstName = '';
    expect(patientMatchValues(lastOnly, 'MR')?.fullName).toBe('Bixby');
  });

  it('should query each criterion with its own values', () => {
    const values = { mrn: 'm', birthDate: 'd', fullName: 'n' };
    expect(matchFilterFor('MRN', values)).toEqual({ mrn: 'm' });
    expect(matchFilterFor('MRN_DOB', values)).toEqual({ mrn: 'm', birthDate: 'd' });
    expect(matchFilterFor('DOB_FULLNAME', values)).toEqual({ birthDate: 'd', fullName: 'n' });
  });
});
