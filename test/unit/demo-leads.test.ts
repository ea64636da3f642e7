import { describe, it, expect } from 'vitest';
import { generateDemoLeads, generateDemoLeadsIter } from '../../src/demo/demo-leads.js';
import { parseLeadInput } from '../../src/core/lead-input.js';

describe('generateDemoLeads', () => {
  it('is deterministic for a seed', () => {
    expect(generateDemoLeads(300, 42)).toEqual(generateDemoLeads(300, 42));
  });

  it('gives different leads for different seeds', () => {
    const a = generateDemoLeads(100, 1);
    const b = generateDemoLeads(100, 2);
    expect(a).not.toEqual(b);
    const sameCompany = a.filter((lead, i) => lead.company === b[i]?.company).length;
    expect(sameCompany).toBeLessThan(10);
  });

  it('streams the same sequence lazily', () => {
    const streamed = [...generateDemoLeadsIter(200, 9)];
    expect(streamed).toEqual(generateDemoLeads(200, 9));
    expect(generateDemoLeads(0, 9)).toEqual([]);
    expect(() => generateDemoLeadsIter(-1, 9)).toThrow(RangeError);
  });

  it('produces 2,000 leads that all pass parseLeadInput', () => {
    const leads = generateDemoLeads(2_000, 7);
    expect(leads).toHaveLength(2_000);
    const invalid = leads
      .map((lead) => ({ lead, result: parseLeadInput(lead) }))
      .filter(({ result }) => !result.ok);
    expect(invalid).toEqual([]);
    expect(leads[0]?.externalId).toBe('demo-000001');
    expect(leads[1_999]?.externalId).toBe('demo-002000');
  });

  it('has a tail of high scores: 5% to 25% at or above 80', () => {
    const leads = generateDemoLeads(2_000, 3);
    const share = leads.filter((l) => l.score >= 80).length / leads.length;
    expect(share).toBeGreaterThanOrEqual(0.05);
    expect(share).toBeLessThanOrEqual(0.25);
    const mean = leads.reduce((s, l) => s + l.score, 0) / leads.length;
    expect(mean).toBeGreaterThan(40);
    expect(mean).toBeLessThan(60);
  });

  it('is varied: at least 8 industries and 100 distinct companies among 500', () => {
    const leads = generateDemoLeads(500, 11);
    expect(new Set(leads.map((l) => l.industry)).size).toBeGreaterThanOrEqual(8);
    expect(new Set(leads.map((l) => l.company)).size).toBeGreaterThanOrEqual(100);
  });

  it('derives e-mail and website from the company, in ASCII, and keeps employees within the size band', () => {
    const bands: Record<string, [number, number]> = {
      '1-10': [1, 10], '11-50': [11, 50], '51-200': [51, 200],
      '201-1000': [201, 1000], '1001-5000': [1001, 5000], '5000+': [5001, Infinity],
    };
    for (const lead of generateDemoLeads(500, 5)) {
      const email = lead.contact.email ?? '';
      expect(email).toMatch(/^[a-z0-9._]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/);
      const domain = email.split('@')[1];
      expect(lead.attributes?.['website']).toBe(`https://www.${domain}`);
      const employees = lead.attributes?.['employees'] as number;
      const [lo, hi] = bands[lead.companySize]!;
      expect(employees).toBeGreaterThanOrEqual(lo);
      expect(employees).toBeLessThanOrEqual(hi);
      if (lead.contact.phone !== null) expect(lead.contact.phone).toMatch(/^\+\d{2,3} (\d{1,4} )?\d{5,9}$/);
    }
  });
});
