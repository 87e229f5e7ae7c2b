import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserDirectory } from '../../../src/auth/directory/user-directory';
import { expectError } from '../../support/expect-error';
import { useTestApp } from '../../support/test-app';
import {
  createScenarioClinic,
  DEPLOYMENT,
  enroll,
  getProgramUrlRequest,
  orderNotification,
  putXealthSettings,
  readOrder,
  xealth,
  xealthApp,
  useXealthStub,
} from './xealth.fixtures';

const INVALID_TOKEN = 'unauthorized: invalid or expired token';
const NO_SUBSCRIPTION = "unauthorized: patient doesn't have active subscriptions";

/** A folder laid out like the pdfjs-dist package (the files the viewer uses, plus some it must not serve). */
function fakePdfjsDist(): string {
  const root = mkdtempSync(join(tmpdir(), 'pdfjs-dist-'));
  mkdirSync(join(root, 'build'));
  mkdirSync(join(root, 'web'));
  writeFileSync(join(root, 'package.json'), '{"name":"pdfjs-dist"}');
  writeFileSync(join(root, 'build', 'pdf.mjs'), 'export const version = "test";');
  writeFileSync(join(root, 'build', 'pdf.worker.mjs'), 'export {};');
  writeFileSync(join(root, 'build', 'pdf.sandbox.mjs'), 'export {};');
  writeFileSync(join(root, 'web', 'pdf_viewer.mjs'), 'export class PDFViewer {}');
  writeFileSync(join(root, 'web', 'pdf_viewer.css'), '.pdfViewer {}');
  writeFileSync(join(root, 'web', 'viewer.html.tmpl'), '{{.PDF_URL}}');
  mkdirSync(join(root, 'web', 'images'));
  writeFileSync(join(root, 'web', 'images', 'loading-icon.gif'), 'GIF89a');
  writeFileSync(join(root, 'web', 'images', 'notes.txt'), 'not an image');
  return root;
}

describe('ViewPDFReport', () => {
  const stub = useXealthStub();
  const assets = fakePdfjsDist();
  afterAll(() => rmSync(assets, { recursive: true, force: true }));
  const t = useTestApp(xealthApp(stub, { assetsDir: assets }));
  let clinicId: string;
  let clinicianToken: string;
  let patientId: string;
  let viewerUrl: URL;
  let dataTrackingId: string;
  const mrn = 'report-mrn';
  const viewer = (query: Record<string, string>) => t.call('GET', '/v1/xealth/report/web/viewer.html', { query });
  const query = () => Object.fromEntries(viewerUrl.searchParams.entries());

  beforeAll(async () => {
    const created = await createScenarioClinic(t);
    clinicId = created.clinicId;
    clinicianToken = created.admin.token;
    await putXealthSettings(t, clinicId);
    dataTrackingId = await enroll(t, stub(), 'order-report', { patient: { email: 'report@example.com' } }, { mrn });
    const res = await xealth(t, 'PUT', 'program', getProgramUrlRequest({ mrn }));
    viewerUrl = new URL(res.body.url);
    patientId = viewerUrl.searchParams.get('patientId')!;
  });

  it('should answer the viewer page; without summary data the export URL has no dates', async () => {
    const res = await viewer(query());
    expect(res.status).toBe(200);
    expect(String(res.headers['content-type'])).toBe('text/html; charset=utf-8');
    const token = query().restricted_token;
    expect(res.text).toContain(
      `window.PDF_URL = "https:\\/\\/integration.test.app.url.com\\/export\\/report\\/${patientId}?bgUnits=mg%2FdL\\u0026dob=1985-01-11\\u0026fullName=FirstName\\u002bFirst\\u002bLastName\\u002bLast\\u0026inline=true\\u0026mrn=${mrn}\\u0026reports=all\\u0026restricted_token=${token}\\u0026tzName=US%2FPacific\\u0026userId=${patientId}";`,
    );
  });

  it('should answer 401 without a token, for an unknown one, or one of another user', async () => {
    const { restricted_token: _token, ...withoutToken } = query();
    expectError(await viewer(withoutToken), 401, INVALID_TOKEN);
    expectError(await viewer({ ...query(), restricted_token: '' }), 401, INVALID_TOKEN);
    expectError(await viewer({ ...query(), restricted_token: 'f'.repeat(32) }), 401, INVALID_TOKEN);
    const other = await t.app.get(UserDirectory).createRestrictedToken('0123456789');
    expectError(await viewer({ ...query(), restricted_token: other.id }), 401, INVALID_TOKEN);
    expectError(await viewer({ ...query(), patientId: '0123456789' }), 401, INVALID_TOKEN);
  });

  it('should answer 401 for an expired token', async () => {
    const res = await xealth(t, 'PUT', 'program', getProgramUrlRequest({ mrn }));
    const url = new URL(res.body.url);
    const tokenId = url.searchParams.get('restricted_token')!;
    await t.connection
      .collection('restricted_tokens')
      .updateOne({ tokenId }, { $set: { expirationTime: new Date(Date.now() - 1000) } });
    expectError(await viewer(Object.fromEntries(url.searchParams.entries())), 401, INVALID_TOKEN);
  });

  it('should answer 404 for an unknown clinic or a patient not in it', async () => {
    expectError(await viewer({ ...query(), clinicId: 'f'.repeat(24) }), 404, 'clinic not found');
    expectError(await viewer({ ...query(), clinicId: 'not-an-id' }), 404, 'clinic not found');
    const other = await createScenarioClinic(t);
    expectError(await viewer({ ...query(), clinicId: other.clinicId }), 404, 'patient not found');
  });

  it('should answer 401 for a clinic without EHR settings (the original crashed)', async () => {
    const other = await createScenarioClinic(t);
    const created = await t.call<any>('POST', `/v1/clinics/${other.clinicId}/patients`, {
      token: other.admin.token,
      body: { fullName: 'No Settings', birthDate: '2000-01-01', mrn: 'x1' },
    });
    const token = await t.app.get(UserDirectory).createRestrictedToken(created.body.id);
    expectError(
      await viewer({ clinicId: other.clinicId, patientId: created.body.id, restricted_token: token.id }),
      401,
      NO_SUBSCRIPTION,
    );
  });

  it('should answer 401 for a patient without a Xealth subscription', async () => {
    const created = await t.call<any>('POST', `/v1/clinics/${clinicId}/patients`, {
      token: clinicianToken,
      body: { fullName: 'Not Enrolled', birthDate: '2000-01-01', mrn: 'x2' },
    });
    const token = await t.app.get(UserDirectory).createRestrictedToken(created.body.id);
    expectError(
      await viewer({ clinicId, patientId: created.body.id, restricted_token: token.id }),
      401,
      NO_SUBSCRIPTION,
    );
  });

  it('should answer 422 for a patient without the MRN the report shows', async () => {
    const filter = { userId: patientId };
    await t.connection.collection('patients').updateOne(filter, { $set: { mrn: null } });
    expectError(
      await viewer(query()),
      422,
      'constraint violation: the patient needs a birth date, an MRN and a full name for the report',
    );
    await t.connection.collection('patients').updateOne(filter, { $set: { mrn } });
    expect((await viewer(query())).status).toBe(200);
  });

  it('should serve every asset the page references, and nothing else under /v1/xealth/report/', async () => {
    const page = (await viewer(query())).text;
    const references = [...page.matchAll(/(?:href=|from |workerSrc = )"([^"]+)"/g)].map(
      (match) => new URL(match[1], `https://host${viewerUrl.pathname}`).pathname,
    );
    expect(references).toHaveLength(4);
    for (const path of references) {
      const res = await t.call('GET', path);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect(String(res.headers['content-type'])).toMatch(path.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
    }
    const image = await t.call('GET', '/v1/xealth/report/web/images/loading-icon.gif');
    expect(image.status).toBe(200);
    expect(image.headers['content-type']).toBe('image/gif');
    for (const path of [
      '/v1/xealth/report/web/viewer.html.tmpl',
      '/v1/xealth/report/build/pdf.sandbox.mjs',
      '/v1/xealth/report/web/..%2Fpackage.json',
      '/v1/xealth/report/build/..%2F..%2Fpackage.json',
      '/v1/xealth/report/package.json',
      '/v1/xealth/report/web/images/loading.svg',
      '/v1/xealth/report/web/images/notes.txt',
      '/v1/xealth/report/web/images/..%2F..%2Fpackage.json',
    ]) {
      expect({ path, status: (await t.call('GET', path)).status }).toEqual({ path, status: 404 });
    }
  });

  it('should answer 401 once the order is cancelled', async () => {
    stub().setOrder(
      DEPLOYMENT,
      'order-report',
      readOrder('order-report', dataTrackingId, { mrn, orderState: 'canceled' }),
    );
    expect((await xealth(t, 'POST', 'notification', orderNotification('order-report', 'cancel', { mrn }))).status).toBe(
      200,
    );
    expectError(await viewer(query()), 401, NO_SUBSCRIPTION);
  });
});
