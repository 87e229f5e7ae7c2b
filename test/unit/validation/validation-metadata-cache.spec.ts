import { getMetadataStorage, IsInt, IsString, validate } from 'class-validator';
import { cacheValidationMetadata } from '../../../src/common/validation/validation-metadata-cache';

class Base {
  @IsString()
  name!: unknown;
}

class Derived extends Base {
  @IsInt()
  count!: unknown;
}

const failingFields = async (object: object) => (await validate(object)).map((error) => error.property).sort();

describe('cacheValidationMetadata', () => {
  beforeAll(() => cacheValidationMetadata());

  it('should validate own and inherited rules as class-validator does, again and again', async () => {
    for (let i = 0; i < 3; i++) {
      expect(await failingFields(Object.assign(new Derived(), { name: 1, count: 'x' }))).toEqual(['count', 'name']);
      expect(await failingFields(Object.assign(new Derived(), { name: 'n', count: 2 }))).toEqual([]);
      expect(await failingFields(Object.assign(new Base(), { name: 1, count: 'x' }))).toEqual(['name']);
    }
  });

  it('should apply a rule registered after a class was validated', async () => {
    class Late {
      @IsString()
      first!: unknown;

      second!: unknown;
    }
    expect(await failingFields(Object.assign(new Late(), { first: 'a', second: 2 }))).toEqual([]);
    IsString()(Late.prototype, 'second');
    expect(await failingFields(Object.assign(new Late(), { first: 'a', second: 2 }))).toEqual(['second']);
  });

  it('should install itself once, however often it is called', () => {
    const storage = getMetadataStorage();
    const installed = storage.getTargetValidationMetadatas;
    cacheValidationMetadata();
    expect(storage.getTargetValidationMetadatas).toBe(installed);
  });
});
