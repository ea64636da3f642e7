import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, escapeLike } from '../../src/core/browse.js';
import { schemaProblems } from '../../src/core/schema-problems.js';
import { parseLeadInput } from '../../src/core/lead-input.js';

describe('browse cursors', () => {
  it('round-trip the sort value and id', () => {
    const c = { sort: 'score' as const, order: 'desc' as const, value: 73, id: 1234 };
    expect(decodeCursor(encodeCursor(c), 'score', 'desc')).toEqual(c);
  });
  it('are refused for another sort order, or when damaged', () => {
    const raw = encodeCursor({ sort: 'company', order: 'asc', value: 'Acme', id: 1 });
    expect(() => decodeCursor(raw, 'company', 'desc')).toThrow(/different sort/);
    expect(() => decodeCursor('not-a-cursor', 'company', 'asc')).toThrow(/cursor/);
    expect(() => decodeCursor(Buffer.from('["company","asc",5,1]').toString('base64url'), 'company', 'asc')).toThrow(/damaged/);
  });
  it('LIKE wildcards typed by a person are searched literally', () => {
    expect(escapeLike('50%_off\\')).toBe('50\\%\\_off\\\\');
  });
});

describe('field problems', () => {
  it('name nested and indexed fields the way a person writes them', () => {
    expect(schemaProblems([{ keyword: 'maximum', instancePath: '/leads/3/score', params: { limit: 100 } }])).toEqual([
      { field: 'leads[3].score', problem: 'must be at most 100' },
    ]);
  });
  it('a lead with several mistakes names every one of them', () => {
    const r = parseLeadInput({ company: '', industry: 'x', companySize: 'huge', source: 's', score: 500, region: 'r', contact: { name: 'n', email: 'nope' }, extra: 1 });
    expect(r.ok).toBe(false);
    const fields = !r.ok ? r.problems.map((p) => p.field).sort() : [];
    expect(fields).toEqual(['company', 'companySize', 'contact.email', 'extra', 'score']);
  });
});
