import { describe, expect, it } from 'vitest';
import { AccountIndex, emailDomain, normaliseCompany } from '../../src/core/routing/accounts.js';
import { buildAccount } from './builders.js';

describe('normaliseCompany', () => {
  const same: [string, string][] = [
    ['Müller Logistik GmbH', 'MUELLER LOGISTIK'],
    ['Müller Logistik GmbH', 'Mueller-Logistik'],
    ['Bäckerei Groß AG', 'baeckerei gross'],
    ['Schmidt GmbH & Co. KG', 'Schmidt'],
    ['Acme, Inc.', 'ACME'],
    ['Acme Ltd', 'acme'],
    ['Globex Holding B.V.', 'Globex Holding'],
    ['Telefónica S.A.', 'telefonica'],
    ['Iberia Transportes S.L.', 'Iberia Transportes'],
    ['Nordic Ships A/S', 'nordic ships'],
    ['Vapor SE', 'vapor'],
    ['Société Générale SAS', 'societe generale'],
    ['  Initech   plc ', 'initech'],
    ['Ökotech UG (haftungsbeschränkt)', 'oekotech'],
  ];
  for (const [a, b] of same) {
    it(`"${a}" and "${b}" normalise to the same name`, () => {
      expect(normaliseCompany(a)).toBe(normaliseCompany(b));
    });
  }

  it('gives lower case, folded umlauts and single spaces', () => {
    expect(normaliseCompany('Müller   Logistik GmbH')).toBe('mueller logistik');
    expect(normaliseCompany('Straße der Einheit')).toBe('strasse der einheit');
  });

  it('folds an umlaut typed as a combining mark like a precomposed one', () => {
    expect(normaliseCompany('Mu\u0308ller GmbH')).toBe('mueller');
  });

  it('removes legal forms only at the end, so a name that starts with one keeps it', () => {
    expect(normaliseCompany('AG Insurance')).toBe('ag insurance');
    expect(normaliseCompany('Co-op Markets Ltd')).toBe('co op markets');
  });

  it('keeps a name made only of a legal form rather than emptying it', () => {
    expect(normaliseCompany('SE')).toBe('se');
    expect(normaliseCompany('AG KG')).toBe('ag');
  });

  it('does not treat an umlaut typed without its dots as the umlaut (documented limit)', () => {
    expect(normaliseCompany('Muller Logistik')).not.toBe(normaliseCompany('Müller Logistik'));
  });
});

describe('emailDomain', () => {
  it('returns the lower-cased domain after the last @', () => {
    expect(emailDomain('Jana.Roth@Beispiel.DE')).toBe('beispiel.de');
    expect(emailDomain('"odd@name"@acme.com')).toBe('acme.com');
  });
  it('returns null for no email, no @, or no dot in the domain', () => {
    expect(emailDomain(null)).toBeNull();
    expect(emailDomain('')).toBeNull();
    expect(emailDomain('jana')).toBeNull();
    expect(emailDomain('jana@localhost')).toBeNull();
  });
});

describe('AccountIndex', () => {
  const mueller = buildAccount(1, { name: 'Müller Logistik GmbH', domains: ['mueller-logistik.de', '@ml-group.com'] });
  const acme = buildAccount(2, { name: 'Acme Inc.', domains: ['www.acme.com'], customer: true });
  const index = new AccountIndex([acme, mueller]);

  it('matches by the contact email domain first', () => {
    expect(index.find({ company: 'Something Else', contact: { email: 'a@mueller-logistik.de' } })).toEqual({ account: mueller, by: 'domain' });
  });

  it('ignores a leading @ or www. in an account domain', () => {
    expect(index.match({ company: 'x', contact: { email: 'b@ml-group.com' } })).toBe(mueller);
    expect(index.match({ company: 'x', contact: { email: 'b@acme.com' } })).toBe(acme);
  });

  it('matches a subdomain of an account domain', () => {
    expect(index.find({ company: 'x', contact: { email: 'b@eu.mail.acme.com' } })).toEqual({ account: acme, by: 'domain' });
  });

  it('falls back to the normalised company name: "MUELLER LOGISTIK" finds "Müller Logistik GmbH"', () => {
    expect(index.find({ company: 'MUELLER LOGISTIK', contact: { email: 'someone@gmail.com' } })).toEqual({ account: mueller, by: 'name' });
    expect(index.find({ company: 'acme', contact: { email: null } })).toEqual({ account: acme, by: 'name' });
  });

  it('prefers the domain when domain and name point at different accounts', () => {
    expect(index.find({ company: 'Acme', contact: { email: 'x@mueller-logistik.de' } })?.account).toBe(mueller);
  });

  it('never matches by a free-mail domain, even one an account lists', () => {
    const careless = new AccountIndex([buildAccount(3, { name: 'Careless', domains: ['gmail.com'] })]);
    expect(careless.match({ company: 'Unrelated', contact: { email: 'x@gmail.com' } })).toBeNull();
  });

  it('returns null when nothing matches', () => {
    expect(index.match({ company: 'Initech', contact: { email: 'x@initech.com' } })).toBeNull();
    expect(new AccountIndex([]).match({ company: 'Acme', contact: { email: 'x@acme.com' } })).toBeNull();
  });

  it('gives a shared domain or name to the account with the lower id, whatever the input order', () => {
    const a = buildAccount(5, { name: 'Twin', domains: ['twin.io'] });
    const b = buildAccount(4, { name: 'TWIN GmbH', domains: ['twin.io'] });
    for (const order of [[a, b], [b, a]]) {
      const ix = new AccountIndex(order);
      expect(ix.match({ company: 'x', contact: { email: 'q@twin.io' } })?.id).toBe(4);
      expect(ix.match({ company: 'twin', contact: { email: null } })?.id).toBe(4);
    }
  });

  it('looks up 10,000 accounts as fast as 10 (hash lookups)', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => buildAccount(i + 1, { name: `Company ${i} GmbH`, domains: [`c${i}.de`] }));
    const ix = new AccountIndex(many);
    expect(ix.find({ company: 'COMPANY 9999', contact: { email: null } })?.account.id).toBe(10_000);
    expect(ix.find({ company: 'x', contact: { email: 'a@c4242.de' } })?.account.id).toBe(4243);
  });
});
