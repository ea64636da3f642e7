/**
 * The web UI's strings come in parts that are merged into one dictionary per language (some
 * when a chunk loads): a key in two parts silently shows one part's text on the other's page
 * (the API keys page once had the keyboard-shortcuts title). Every key lives in one part only.
 */
import { describe, expect, it } from 'vitest';
import { enBase } from '../../web/src/i18n/dict.js';
import { enMore } from '../../web/src/i18n/dict-more.js';
import { enSetupRep } from '../../web/src/i18n/dict-setup-rep.js';
import { enTrace } from '../../web/src/i18n/dict-trace.js';
import { enKeys } from '../../web/src/i18n/dict-keys.js';
import { enSetup } from '../../web/src/i18n/dict-setup.js';
import { enIntegrations } from '../../web/src/i18n/dict-integrations.js';
import { enWhatIf } from '../../web/src/i18n/dict-whatif.js';

describe('UI dictionaries', () => {
  it('define each key in one part only', () => {
    const parts: Record<string, object> = { enBase, enMore, enSetupRep, enTrace, enKeys, enSetup, enIntegrations, enWhatIf };
    const owner = new Map<string, string>();
    const clashes: string[] = [];
    for (const [part, dict] of Object.entries(parts)) {
      for (const key of Object.keys(dict)) {
        const first = owner.get(key);
        if (first) clashes.push(`${key} (${first} and ${part})`);
        else owner.set(key, part);
      }
    }
    expect(clashes).toEqual([]);
  });
});

describe('filling a message', () => {
  it('puts the values in, and a value ending in a full stop takes the place of the one after it', async () => {
    const { fill } = await import('../../web/src/i18n/i18n.js');
    expect(fill('Released {company}.', { company: 'Acme GmbH' })).toBe('Released Acme GmbH.');
    expect(fill('Released {company}.', { company: 'Woźniak Components Sp. z o.o.' })).toBe('Released Woźniak Components Sp. z o.o.');
    expect(fill('{n} of {total}. {left} left', { n: 2, total: 5, left: 3 })).toBe('2 of 5. 3 left');
    expect(fill('Unknown {x}.', {})).toBe('Unknown {x}.');
  });
});
