import {
  buildForm,
  deepMerge,
  DUPLICATE_EMAIL_PARAGRAPHS,
  SOMETHING_WENT_WRONG,
} from '../../../src/modules/xealth/preorder/xealth-forms';

const TAGS = [
  { id: '000000000000000000000000', name: 'Tidepool Loop' },
  { id: '000000000000000000000001', name: 'DIY Loop' },
];

const CONNECT_PROPERTIES = {
  connectAbbott: { title: 'Connect with FreeStyle Libre', description: '', type: 'boolean' },
  connectDexcom: { title: 'Connect with Dexcom', description: '', type: 'boolean' },
};
const ABBOTT_HELP =
  'If this box is checked, patient will receive an email to authorize sharing FreeStyle Libre data with Tidepool. For US FreeStyle Libre Users Only';
const DEXCOM_HELP =
  'If this box is checked, patient will receive an email to authorize sharing Dexcom data with Tidepool. For US Dexcom Users Only';
const TAGS_PROPERTY = (type: string) => ({
  type,
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

describe('Xealth pre-order forms (behavior-integrations.md §2.4)', () => {
  it('should build the patient form with the title, the tag picker sorted by name and the form data', () => {
    const form = buildForm({
      flow: 'patient',
      dataTrackingId: '1234567890',
      fullName: 'James Jellyfish',
      tags: TAGS,
      formData: { patient: { email: 'james.jellyfish@tidepool.org' } },
    });
    expect(form).toEqual({
      dataTrackingId: '1234567890',
      notOrderable: false,
      preorderFormInfo: {
        formData: { patient: { email: 'james.jellyfish@tidepool.org' } },
        formId: 'patient_enrollment_form',
        formSchema: {
          definitions: {
            tags: {
              enum: ['000000000000000000000001', '000000000000000000000000'],
              enumNames: ['DIY Loop', 'Tidepool Loop'],
            },
          },
          title: 'Add James Jellyfish to Tidepool',
          description: 'Please confirm a few details to complete set up.',
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
              dependencies: { email: { properties: CONNECT_PROPERTIES } },
            },
            tags: TAGS_PROPERTY('object'),
          },
        },
        uiSchema: {
          patient: { connectAbbott: { 'ui:help': ABBOTT_HELP }, connectDexcom: { 'ui:help': DEXCOM_HELP } },
          tags: { ids: { 'ui:widget': 'CheckboxesWidget' }, 'ui:widget': 'object' },
          'ui:order': ['patient', 'tags'],
        },
      },
    });
  });

  it('should build the guardian form with the tag picker hidden when the clinic has no tags', () => {
    const form = buildForm({
      flow: 'guardian',
      dataTrackingId: '1234567890',
      fullName: 'James Jellyfish',
      tags: [],
      formData: { guardian: {} },
    });
    expect(form.notOrderable).toBe(false);
    expect(form.preorderFormInfo.formId).toBe('guardian_enrollment_form');
    expect(form.preorderFormInfo.formData).toEqual({ guardian: {} });
    const schema = form.preorderFormInfo.formSchema as any;
    expect(schema.title).toBe('Add James Jellyfish to Tidepool');
    expect(schema.description).toBe(
      "Please confirm a few details to complete set up. A parent or guardian is required to claim this patient's accounts because the patient is under 13 years of age.",
    );
    expect(schema.definitions).toEqual({ tags: {} });
    expect(schema.properties.guardian.required).toEqual(['firstName', 'lastName']);
    expect(schema.properties.guardian.dependencies.email.properties).toEqual(CONNECT_PROPERTIES);
    expect(schema.properties.tags).toEqual(TAGS_PROPERTY('null'));
    expect(form.preorderFormInfo.uiSchema).toEqual({
      'ui:order': ['guardian', 'tags'],
      guardian: {
        'ui:order': ['firstName', 'lastName', 'email', 'connectAbbott', 'connectDexcom'],
        connectAbbott: { 'ui:help': ABBOTT_HELP },
        connectDexcom: { 'ui:help': DEXCOM_HELP },
      },
      tags: { ids: { 'ui:widget': 'CheckboxesWidget' }, 'ui:widget': 'hidden' },
    });
  });

  it('should build the error form with one paragraph per error, not orderable', () => {
    expect(
      buildForm({
        flow: 'guardian',
        dataTrackingId: '1234567890',
        fullName: 'James Jellyfish',
        tags: [],
        formData: { guardian: {} },
        errors: [SOMETHING_WENT_WRONG],
      }),
    ).toEqual({
      dataTrackingId: '1234567890',
      notOrderable: true,
      preorderFormInfo: {
        formData: { guardian: {} },
        formId: 'error_form',
        formSchema: {
          definitions: { tags: {} },
          properties: { error_0: { description: SOMETHING_WENT_WRONG, title: ' ', type: 'null' } },
          title: 'There Was a Problem Adding Patient To Tidepool',
          type: 'object',
        },
        uiSchema: { tags: {}, 'ui:order': ['error_0'] },
      },
    });
  });

  it('should split the duplicate e-mail text into four paragraphs', () => {
    const form = buildForm({
      flow: 'guardian',
      dataTrackingId: 'x',
      fullName: 'A B',
      tags: [],
      formData: {},
      errors: DUPLICATE_EMAIL_PARAGRAPHS,
    });
    const properties = (form.preorderFormInfo.formSchema as any).properties;
    expect(Object.keys(properties)).toEqual(['error_0', 'error_1', 'error_2', 'error_3']);
    expect(properties.error_0.description).toMatch(/^The email address you chose is already in use/);
    expect(properties.error_3.description).toBe(
      'If you continue experiencing difficulties, please contact support@tidepool.org.',
    );
    expect(form.preorderFormInfo.uiSchema['ui:order']).toEqual(['error_0', 'error_1', 'error_2', 'error_3']);
  });

  it('should merge objects recursively and replace scalars and arrays', () => {
    expect(deepMerge({ a: { b: 1, c: [1, 2] }, d: 'x' }, { a: { c: [3] }, d: 'y', e: true })).toEqual({
      a: { b: 1, c: [3] },
      d: 'y',
      e: true,
    });
  });
});
