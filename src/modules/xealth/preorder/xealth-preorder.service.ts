import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { isEmail } from 'class-validator';
import { UserDirectory } from '../../../auth/directory/user-directory';
import { isDuplicateKeyError } from '../../../database/duplicate-key';
import type { ClinicRecord } from '../../clinics/clinics/clinic.schema';
import { XealthRecordsRepository } from '../records/xealth-records.repository';
import type {
  PreorderGuardianRecord,
  PreorderPatientRecord,
  XealthPreorderRecord,
} from '../records/xealth-records.schema';
import { isMinor, isObject, XealthPatientRequest } from '../xealth-criteria';
import { XealthErrors } from '../xealth-errors';
import { XealthMatchService } from '../xealth-match.service';
import { XealthWriteGate } from '../xealth-write-gate';
import { Types } from 'mongoose';
import {
  BIRTHDAY_MISMATCH_PARAGRAPHS,
  buildForm,
  DUPLICATE_EMAIL_PARAGRAPHS,
  FormResponse,
  FormTag,
  JsonObject,
  SOMETHING_WENT_WRONG,
} from './xealth-forms';

/** The answer that lets the order proceed with nothing more to ask. */
export type FinalResponse = Record<string, never>;

interface PreorderRequest extends XealthPatientRequest {
  eventType?: unknown;
  eventContext?: unknown;
  formData?: { dataTrackingId?: unknown; formId?: unknown; userInput?: unknown; canceled?: unknown } | null;
}

type Flow = 'patient' | 'guardian';

/** The flow's data decoded from `formData.userInput` (empty and false members left out). */
interface FlowData {
  patient?: PreorderPatientRecord;
  guardian?: PreorderGuardianRecord;
  tags?: { ids: string[] };
}

/**
 * XealthPreorder (behavior-integrations.md §2.3): the initial step answers the enrollment form for a
 * new patient (guardian form for a minor), `{}` for a known one, or an error form when the known
 * patient's birth date differs; the subsequent step validates what the provider entered (e-mail
 * format, e-mail already in use through the user directory) and stores it in `xealth_preorder`.
 */
@Injectable()
export class XealthPreorderService {
  constructor(
    private readonly matching: XealthMatchService,
    private readonly records: XealthRecordsRepository,
    private readonly gate: XealthWriteGate,
    private readonly directory: UserDirectory,
  ) {}

  async handle(body: unknown): Promise<FormResponse | FinalResponse> {
    if (!isObject(body)) throw XealthErrors.invalid('the request body must be a JSON object');
    const request = body as PreorderRequest;
    if (request.eventType !== 'preorder') {
      throw XealthErrors.invalid(`expected eventType='preorder' got '${describe(request.eventType)}'`);
    }
    if (request.eventContext !== 'initial' && request.eventContext !== 'subsequent') {
      throw XealthErrors.invalid(`invalid event context '${describe(request.eventContext)}'`);
    }
    const { clinic, criteria, patient } = await this.matching.match(request, { withBirthDate: false });
    const flow: Flow = isMinor(criteria.birthDate) ? 'guardian' : 'patient';
    const tags = tagsOf(clinic);

    if (request.eventContext === 'initial') {
      const dataTrackingId = randomUUID();
      if (patient) {
        if (patient.birthDate !== criteria.birthDate) {
          return buildForm({
            flow,
            dataTrackingId,
            fullName: criteria.fullName,
            tags,
            formData: {},
            errors: BIRTHDAY_MISMATCH_PARAGRAPHS,
          });
        }
        return {};
      }
      const formData: JsonObject =
        flow === 'guardian' ? { guardian: {} } : { patient: criteria.email ? { email: criteria.email } : {} };
      return buildForm({ flow, dataTrackingId, fullName: criteria.fullName, tags, formData });
    }

    if (patient) throw XealthErrors.preorderPatientMatched();
    const form = isObject(request.formData) ? request.formData : {};
    const dataTrackingId = typeof form.dataTrackingId === 'string' ? form.dataTrackingId.trim() : '';
    if (!dataTrackingId) throw XealthErrors.invalid('formData.dataTrackingId is required');
    // A form submitted again: the first submission stands.
    if (await this.records.findPreorder(dataTrackingId)) return {};

    const data = decodeUserInput(flow, form.userInput);
    const errors = await this.validate(flow, data);
    if (errors.length > 0) {
      return buildForm({
        flow,
        dataTrackingId,
        fullName: criteria.fullName,
        tags,
        formData: { ...data },
        errors,
      });
    }
    await this.store(dataTrackingId, data);
    return {};
  }

  private async validate(flow: Flow, data: FlowData): Promise<string[]> {
    const person = flow === 'guardian' ? data.guardian : data.patient;
    if (flow === 'guardian' && (!data.guardian?.firstName?.trim() || !data.guardian?.lastName?.trim())) {
      return [SOMETHING_WENT_WRONG];
    }
    const email = person?.email?.trim();
    if (!email) return [];
    if (!isEmail(email)) return [SOMETHING_WENT_WRONG];
    const existing = await this.directory.findUserByEmail(email);
    return existing ? [...DUPLICATE_EMAIL_PARAGRAPHS] : [];
  }

  private async store(dataTrackingId: string, data: FlowData): Promise<void> {
    const record: XealthPreorderRecord = { _id: new Types.ObjectId(), dataTrackingId };
    const person = data.patient ?? data.guardian;
    if (person && !person.email?.trim()) delete person.connectDexcom;
    if (data.patient) record.patient = data.patient;
    if (data.guardian) record.guardian = data.guardian;
    if (data.tags) record.tags = data.tags;
    try {
      await this.gate.run(`preorder:${dataTrackingId}`, (writer) => writer.insertPreorder(record));
    } catch (error) {
      // Submitted twice at once: the other submission stored it.
      if (!isDuplicateKeyError(error)) throw error;
    }
  }
}

/** The clinic's tags for the form's tag picker. */
function tagsOf(clinic: ClinicRecord): FormTag[] {
  return (clinic.patientTags ?? [])
    .filter((tag) => tag._id && tag.name)
    .map((tag) => ({ id: String(tag._id), name: tag.name }));
}

function decodeUserInput(flow: Flow, input: unknown): FlowData {
  const source = isObject(input) ? input : {};
  const data: FlowData = {};
  const section = isObject(source[flow]) ? source[flow] : {};
  const person: PreorderGuardianRecord = {};
  if (flow === 'guardian') {
    if (typeof section.firstName === 'string' && section.firstName) person.firstName = section.firstName;
    if (typeof section.lastName === 'string' && section.lastName) person.lastName = section.lastName;
  }
  if (typeof section.email === 'string' && section.email) person.email = section.email;
  if (section.connectAbbott === true) person.connectAbbott = true;
  if (section.connectDexcom === true) person.connectDexcom = true;
  data[flow] = person;
  const tags = isObject(source.tags) ? source.tags : undefined;
  const ids = Array.isArray(tags?.ids) ? tags.ids.filter((id): id is string => typeof id === 'string') : [];
  if (ids.length > 0) data.tags = { ids };
  return data;
}

/** A received value in an error message. */
function describe(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}
