import {
  cloudConnections,
  hasAlert,
  hasStatusView,
  programDescription,
  PROGRAM_TITLE,
} from '../../../src/modules/xealth/programs/xealth-program';

const day = (value: string) => new Date(value);

describe('Xealth program helpers (behavior-integrations.md §2.6)', () => {
  it('should title the program Tidepool', () => {
    expect(PROGRAM_TITLE).toBe('Tidepool');
  });

  it('should describe a patient with nothing set as N/A, N/A, No, None', () => {
    expect(programDescription({ subscriptionActive: true })).toBe(
      'Last Upload: N/A | Last Viewed by You: N/A | Claimed Account?: No | Cloud Connections: None',
    );
  });

  it('should show the dates as UTC days', () => {
    expect(
      programDescription({
        subscriptionActive: true,
        summaryLastUpdated: day('2024-01-18T23:59:59Z'),
        lastViewed: day('2024-02-01T00:00:00Z'),
      }),
    ).toMatch(/^Last Upload: 2024-01-18 \| Last Viewed by You: 2024-02-01 \| /);
  });

  it('should call the account claimed when the permissions have no custodian', () => {
    const claimed = (permissions: any) => programDescription({ subscriptionActive: true, permissions }).split(' | ')[2];
    expect(claimed({ custodian: {}, view: {} })).toBe('Claimed Account?: No');
    expect(claimed({ view: {}, upload: {} })).toBe('Claimed Account?: Yes');
    expect(claimed(undefined)).toBe('Claimed Account?: No');
  });

  it('should list one connection per provider, the most recently modified winning, sorted', () => {
    expect(cloudConnections([{ providerName: 'dexcom', state: 'pendingReconnect' }])).toBe(
      'Dexcom (pending reconnect)',
    );
    expect(cloudConnections([{ providerName: 'twiist', state: 'connected' }])).toBe('twiist (connected)');
    expect(
      cloudConnections([
        { providerName: 'twiist', state: 'error' },
        { providerName: 'abbott', state: 'connected' },
      ]),
    ).toBe('Abbott (connected), twiist (error)');
    expect(
      cloudConnections([
        { providerName: 'dexcom', state: 'connected', modifiedTime: day('2024-01-01T00:00:00Z') },
        { providerName: 'dexcom', state: 'disconnected', modifiedTime: day('2024-02-01T00:00:00Z') },
        { providerName: 'dexcom', state: 'error', modifiedTime: day('2023-12-01T00:00:00Z') },
      ]),
    ).toBe('Dexcom (disconnected)');
    expect(cloudConnections([])).toBe('None');
    expect(cloudConnections(null)).toBe('None');
  });

  it('should raise an alert only when the summary changed after the last view', () => {
    expect(hasAlert({ subscriptionActive: true })).toBe(false);
    expect(
      hasAlert({ subscriptionActive: true, summaryLastUpdated: day('2024-01-02'), lastViewed: day('2024-01-01') }),
    ).toBe(true);
    expect(
      hasAlert({ subscriptionActive: true, summaryLastUpdated: day('2024-01-01'), lastViewed: day('2024-01-02') }),
    ).toBe(false);
    expect(hasAlert({ subscriptionActive: true, summaryLastUpdated: day('2024-01-01') })).toBe(true);
  });

  it('should offer the status view only with an upload and an active subscription', () => {
    expect(hasStatusView({ subscriptionActive: true })).toBe(false);
    expect(hasStatusView({ subscriptionActive: false, lastUpload: day('2024-01-01') })).toBe(false);
    expect(hasStatusView({ subscriptionActive: true, lastUpload: day('2024-01-01') })).toBe(true);
  });
});
