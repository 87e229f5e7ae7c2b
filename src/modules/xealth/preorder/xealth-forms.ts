/**
 * The pre-order forms returned to Xealth (behavior-integrations.md §2.4): React JSON Schema Form
 * templates, with the per-request overrides deep-merged onto them.
 */

export type JsonObject = { [key: string]: unknown };

export const PATIENT_FORM_ID = 'patient_enrollment_form';
export const GUARDIAN_FORM_ID = 'guardian_enrollment_form';
export const ERROR_FORM_ID = 'error_form';

export const ERROR_TITLE = 'There Was a Problem Adding Patient To Tidepool';
export const SOMETHING_WENT_WRONG =
  'Something went wrong when we tried to create a new patient account in Tidepool. Please click “Cancel” and try again. If you continue experiencing difficulties, please contact support@tidepool.org.';
export const DUPLICATE_EMAIL_PARAGRAPHS = [
  'The email address you chose is already in use with another account in Tidepool. You could click “Cancel” and try to create the patient with a different email address.',
  'If you think the patient already exists in Tidepool and would like to enroll that account for monitoring in Xealth, you could go to Tidepool and look for the account with the email you are trying to create. If it is the same patient, make sure the MRN and date of birth associated with the account in Tidepool match those values in this patient’s record in Xealth. If you change them in Tidepool to match and return to the patient’s record in Xealth, you can enter another order and it will enroll their existing Tidepool account for monitoring.',
  'If you can’t find the patient in your Tidepool clinic account, you can invite the patient to share their data using your clinic share code. Once they do so and you accept the invite, then you can enroll the patient for monitoring in Xealth.',
  'If you continue experiencing difficulties, please contact support@tidepool.org.',
];
export const BIRTHDAY_MISMATCH_PARAGRAPHS = [
  "The patient's Medical Record Number (MRN) you're trying to add to Tidepool is already in use, but there's a mismatch with the patient's date of birth between Tidepool and the Electronic Health Record (EHR). To proceed with enrolling this patient in Xealth for monitoring, please do one of the following:",
  "1. Access Tidepool, locate the patient using the same MRN, and update their date of birth to align with what's recorded in the EHR.",
  "2. Alternatively, modify the patient's date of birth in the EHR to match the existing data in Tidepool.",
  'If you continue experiencing difficulties, please contact support@tidepool.org.',
];

const CONNECT_ABBOTT_HELP =
  'If this box is checked, patient will receive an email to authorize sharing FreeStyle Libre data with Tidepool. For US FreeStyle Libre Users Only';
const CONNECT_DEXCOM_HELP =
  'If this box is checked, patient will receive an email to authorize sharing Dexcom data with Tidepool. For US Dexcom Users Only';

const connectProperties = (): JsonObject => ({
  connectAbbott: { title: 'Connect with FreeStyle Libre', description: '', type: 'boolean' },
  connectDexcom: { title: 'Connect with Dexcom', description: '', type: 'boolean' },
});

const tagsProperty = (): JsonObject => ({
  type: 'null',
  title: '',
  properties: {
    ids: {
      title: 'Patient Tags',
      description: '',
      type: 'array',
      uniqueItems: true,
      items: { $ref: '#/definitions/tags' },
    },
  },
});

const tagsUi = (): JsonObject => ({ ids: { 'ui:widget': 'CheckboxesWidget' }, 'ui:widget': 'hidden' });

interface FormTemplate {
  formId: string;
  formSchema: JsonObject;
  uiSchema: JsonObject;
}

function patientTemplate(): FormTemplate {
  return {
    formId: PATIENT_FORM_ID,
    formSchema: {
      definitions: { tags: {} },
      description: 'Please confirm a few details to complete set up.',
      title: 'Add patient to Tidepool',
      type: 'object',
      properties: {
        patient: {
          type: 'object',
          title: '',
          properties: {
            email: {
              title: "Patient's Email",
              description: 'Email allows your patient to claim their account and upload their data from home.',
              type: 'string',
              format: 'email',
            },
          },
          dependencies: { email: { properties: connectProperties() } },
        },
        tags: tagsProperty(),
      },
    },
    uiSchema: {
      'ui:order': ['patient', 'tags'],
      patient: {
        connectAbbott: { 'ui:help': CONNECT_ABBOTT_HELP },
        connectDexcom: { 'ui:help': CONNECT_DEXCOM_HELP },
      },
      tags: tagsUi(),
    },
  };
}

function guardianTemplate(): FormTemplate {
  return {
    formId: GUARDIAN_FORM_ID,
    formSchema: {
      definitions: { tags: {} },
      description:
        "Please confirm a few details to complete set up. A parent or guardian is required to claim this patient's accounts because the patient is under 13 years of age.",
      title: 'Add patient to Tidepool',
      type: 'object',
      properties: {
        guardian: {
          type: 'object',
          title: '',
          required: ['firstName', 'lastName'],
          properties: {
            firstName: { title: 'Parent/Guardian First Name', type: 'string' },
            lastName: { title: 'Parent/Guardian Last Name', type: 'string' },
            email: {
              title: 'Parent/Guardian Email',
              description:
                'Email allows your patient’s parent/guardian to claim their account and upload their data from home.',
              type: 'string',
              format: 'email',
            },
          },
          dependencies: { email: { properties: connectProperties() } },
        },
        tags: tagsProperty(),
      },
    },
    uiSchema: {
      'ui:order': ['guardian', 'tags'],
      guardian: {
        'ui:order': ['firstName', 'lastName', 'email', 'connectAbbott', 'connectDexcom'],
        connectAbbott: { 'ui:help': CONNECT_ABBOTT_HELP },
        connectDexcom: { 'ui:help': CONNECT_DEXCOM_HELP },
      },
      tags: tagsUi(),
    },
  };
}

function errorTemplate(): FormTemplate {
  return { formId: ERROR_FORM_ID, formSchema: { type: 'object', properties: {} }, uiSchema: {} };
}

/** Objects merged recursively; anything else (arrays included) replaced. */
export function deepMerge(target: JsonObject, source: JsonObject): JsonObject {
  const result: JsonObject = { ...target };
  for (const [key, value] of Object.entries(source)) {
    const current = result[key];
    result[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return result;
}

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface FormTag {
  id: string;
  name: string;
}

export interface FormRequest {
  flow: 'patient' | 'guardian';
  dataTrackingId: string;
  /** The patient's full name, for the title. */
  fullName: string;
  /** The clinic's tags (any order). */
  tags: FormTag[];
  formData: JsonObject;
  /** Error paragraphs: when present, the error form. */
  errors?: string[];
}

export interface FormResponse {
  dataTrackingId: string;
  notOrderable: boolean;
  preorderFormInfo: { formData: JsonObject; formId: string; formSchema: JsonObject; uiSchema: JsonObject };
}

/** A form response: the flow's form (or the error form) with the overrides of §2.4. */
export function buildForm(request: FormRequest): FormResponse {
  const errors = request.errors ?? [];
  const failed = errors.length > 0;
  const template = failed ? errorTemplate() : request.flow === 'guardian' ? guardianTemplate() : patientTemplate();
  const sorted = [...request.tags].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const schemaOverride: JsonObject = {
    title: failed ? ERROR_TITLE : `Add ${request.fullName} to Tidepool`,
    definitions: {
      tags: sorted.length > 0 ? { enum: sorted.map((tag) => tag.id), enumNames: sorted.map((tag) => tag.name) } : {},
    },
  };
  const uiOverride: JsonObject = {};
  if (failed) {
    schemaOverride.properties = Object.fromEntries(
      errors.map((paragraph, index) => [`error_${index}`, { type: 'null', title: ' ', description: paragraph }]),
    );
    uiOverride['ui:order'] = errors.map((_paragraph, index) => `error_${index}`);
    uiOverride.tags = {};
  } else if (sorted.length > 0) {
    schemaOverride.properties = { tags: { type: 'object' } };
    uiOverride.tags = { 'ui:widget': 'object' };
  }
  return {
    dataTrackingId: request.dataTrackingId,
    notOrderable: failed,
    preorderFormInfo: {
      formData: request.formData,
      formId: template.formId,
      formSchema: deepMerge(template.formSchema, schemaOverride),
      uiSchema: deepMerge(template.uiSchema, uiOverride),
    },
  };
}
