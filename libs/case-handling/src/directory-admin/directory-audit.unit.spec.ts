import type { RecordedEvent } from '@tongban/event-store';
import { auditEntry } from './directory-audit';

const recorded = (type: string, data: RecordedEvent['data'], version = 7): RecordedEvent => ({
  id: '0b6f2c1e-3f7d-4c1e-9a55-0d2b6f7e8a91',
  type,
  streamId: 'directory',
  version,
  position: { tx: 10n, seq: 1n },
  data,
  metadata: { actor: { id: 'demo-admin', role: 'admin' } },
  schemaVersion: 1,
  recordedAt: new Date('2026-12-01T02:15:01.000Z'),
});

const stamp = {
  by: { id: 'demo-admin', role: 'admin' },
  at: '2026-12-01T02:15:00.000Z',
  reason: '原网格长调岗',
};

describe('the audit view of a stored change', () => {
  it('shows who, when and why, and the rest of the event as what changed', () => {
    const entry = auditEntry(
      'directory',
      recorded('directory.grid_cadre_assigned', {
        ...stamp,
        grid: 'pc.gucheng.taiyangcheng.g01',
        cadreId: null,
      }),
    );
    expect(entry).toEqual({
      stream: 'directory',
      version: 7,
      type: 'directory.grid_cadre_assigned',
      by: { id: 'demo-admin', role: 'admin' },
      at: '2026-12-01T02:15:00.000Z',
      reason: '原网格长调岗',
      changed: { grid: 'pc.gucheng.taiyangcheng.g01', cadreId: null },
    });
  });

  it('counts an import’s records instead of listing them', () => {
    const records = Array.from({ length: 3 }, (_, i) => ({
      text: `地址${i}`,
      community: 'pc.a.b',
      grid: 'pc.a.b.g1',
    }));
    const directory = auditEntry(
      'directory',
      recorded('directory.records_imported', {
        ...stamp,
        dataset: 'pingcheng-demo',
        part: 'addresses',
        records,
      }),
    );
    expect(directory.changed).toEqual({ dataset: 'pingcheng-demo', part: 'addresses', recordCount: 3 });
    const catalogue = auditEntry(
      'catalogue',
      recorded('catalogue.records_imported', { ...stamp, dataset: 'pingcheng-demo', records: [] }, 1),
    );
    expect(catalogue.changed).toEqual({ dataset: 'pingcheng-demo', recordCount: 0 });
  });

  it('falls back on the metadata’s actor and the time recorded when an event lacks its stamp', () => {
    const entry = auditEntry(
      'directory',
      recorded('directory.street_added', { street: { code: 'pc.x', name: 'X' } }),
    );
    expect(entry).toMatchObject({
      by: { id: 'demo-admin', role: 'admin' },
      at: '2026-12-01T02:15:01.000Z',
      reason: '',
      changed: { street: { code: 'pc.x', name: 'X' } },
    });
  });
});
