import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ApiError, ErrorDetail } from '../../../common/errors/api-error';
import { flattenValidationErrors } from '../../../common/validation/validation.pipe';
import { DataSourceDto } from '../../clinics/patients/dto/patient-parts.dto';

/**
 * A `dataSources.v1` body (an array, which the global pipe does not validate): each item checked as
 * {@link DataSourceDto}, unknown fields dropped; null for no body or `null`. 400 with the details.
 */
export function parseDataSources(body: unknown): DataSourceDto[] | null {
  if (body === undefined || body === null) return null;
  if (!Array.isArray(body)) throw ApiError.validation([{ field: 'body', message: 'body must be an array' }]);
  const details: ErrorDetail[] = [];
  const items = body.map((item: unknown, index) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      details.push({ field: `body[${index}]`, message: 'must be an object' });
      return undefined;
    }
    const dto = plainToInstance(DataSourceDto, item);
    const errors = validateSync(dto, { whitelist: true, forbidUnknownValues: false });
    details.push(...flattenValidationErrors(errors, `body[${index}]`));
    return dto;
  });
  if (details.length > 0) throw ApiError.validation(details);
  return items as DataSourceDto[];
}
