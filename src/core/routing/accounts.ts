/**
 * Named accounts: companies a manager has given an owner. A lead matches an account by its
 * contact's email domain first, then by its normalised company name. Both lookups are hash
 * lookups built once per index, so matching costs the same with 10 or 100,000 accounts.
 */

export interface NamedAccount {
  id: number;
  name: string;
  /** Email domains, e.g. `acme.com`; a leading `@` or `www.` is ignored. */
  domains: string[];
  /** The rep who owns the account: `push_owner` rules push to them. */
  ownerId: number;
  /** An existing customer (the `existingCustomer` condition). */
  customer: boolean;
}

export type AccountMatch = { account: NamedAccount; by: 'domain' | 'name' };

/**
 * Legal-form words removed from the end of a company name, after punctuation is gone (so
 * "S.L." is "sl", "GmbH & Co. KG" is "gmbh co kg"). Only trailing words are removed: "AG
 * Insurance" keeps its "ag", and a name made only of such words ("SE") is kept whole.
 */
const LEGAL_FORMS = new Set([
  // German-speaking
  'gmbh', 'mbh', 'ag', 'kg', 'kgaa', 'ohg', 'gbr', 'ug', 'haftungsbeschraenkt', 'ev', 'eg', 'ek', 'co',
  // European
  'se', 'bv', 'nv', 'sa', 'sas', 'sarl', 'sl', 'slu', 'spa', 'srl', 'sro', 'oy', 'oyj', 'ab', 'as', 'asa', 'aps', 'sp', 'zoo',
  // English-speaking
  'ltd', 'limited', 'plc', 'llc', 'llp', 'lp', 'inc', 'incorporated', 'corp', 'corporation', 'company', 'pty', 'pte',
]);

const UMLAUTS: Record<string, string> = { ä: 'ae', ö: 'oe', ü: 'ue', ß: 'ss', æ: 'ae', ø: 'oe', å: 'aa', œ: 'oe' };

/**
 * A company name reduced to what identifies it: "Müller Logistik GmbH" and "MUELLER
 * LOGISTIK" both become "mueller logistik".
 *
 * Steps: Unicode NFC, lower case; German umlauts and ß folded the German way (ä→ae, ö→oe,
 * ü→ue, ß→ss; also æ, ø, å, œ), other accents dropped (é→e); `&` read as "und"/"and" is not
 * attempted; dots, apostrophes and slashes deleted (so "S.L." is "sl", "A/S" is "as"), other
 * punctuation made a space; trailing legal forms removed (see LEGAL_FORMS); spaces collapsed.
 * "Muller" (an umlaut typed without its dots) stays "muller" and does not match "Müller".
 */
export function normaliseCompany(name: string): string {
  let s = name.normalize('NFC').toLowerCase();
  s = s.replace(/[äöüßæøåœ]/g, (ch) => UMLAUTS[ch] ?? ch);
  s = s.normalize('NFD').replace(/\p{M}+/gu, '');
  s = s.replace(/[.'’/]/g, '').replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  const words = s.split(' ').filter(Boolean);
  let end = words.length;
  while (end > 1 && LEGAL_FORMS.has(words[end - 1]!)) end--;
  return words.slice(0, end).join(' ');
}

/** The lower-cased domain of an email address, or null when there is none. */
export function emailDomain(email: string | null | undefined): string | null {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  if (at < 0) return null;
  const domain = cleanDomain(email.slice(at + 1));
  return domain.includes('.') ? domain : null;
}

function cleanDomain(d: string): string {
  let s = d.trim().toLowerCase();
  if (s.startsWith('@')) s = s.slice(1);
  if (s.startsWith('www.')) s = s.slice(4);
  while (s.endsWith('.')) s = s.slice(0, -1);
  return s;
}

/**
 * Mailbox providers shared by unrelated people: a lead writing from one of these says nothing
 * about their company, so these domains are never indexed or matched (an account that lists
 * `gmail.com` would otherwise take every Gmail lead).
 */
export const FREE_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'hotmail.de', 'live.com', 'msn.com', 'yahoo.com', 'yahoo.de',
  'icloud.com', 'me.com', 'aol.com', 'gmx.de', 'gmx.net', 'gmx.at', 'gmx.ch', 'web.de', 't-online.de', 'freenet.de',
  'posteo.de', 'mailbox.org', 'proton.me', 'protonmail.com', 'mail.com', 'yandex.com', 'zoho.com',
]);

export class AccountIndex {
  readonly #byDomain = new Map<string, NamedAccount>();
  readonly #byName = new Map<string, NamedAccount>();
  readonly size: number;

  /**
   * When two accounts claim the same domain or normalise to the same name, the one with the
   * lower id wins, whatever the input order: matching never depends on how rows were fetched.
   */
  constructor(accounts: readonly NamedAccount[]) {
    const sorted = [...accounts].sort((a, b) => a.id - b.id);
    for (const a of sorted) {
      for (const d of a.domains) {
        const domain = cleanDomain(d);
        if (domain && !FREE_MAIL_DOMAINS.has(domain) && !this.#byDomain.has(domain)) this.#byDomain.set(domain, a);
      }
      const name = normaliseCompany(a.name);
      if (name && !this.#byName.has(name)) this.#byName.set(name, a);
    }
    this.size = sorted.length;
  }

  match(lead: { company: string; contact: { email?: string | null | undefined } }): NamedAccount | null {
    return this.find(lead)?.account ?? null;
  }

  /**
   * The account and how it matched. Domain first: the email domain, then its parent domains
   * down to two labels (`eu.mail.acme.com`, `mail.acme.com`, `acme.com`), so a subsidiary's
   * mail server still finds the account. Then the normalised company name, exactly.
   */
  find(lead: { company: string; contact: { email?: string | null | undefined } }): AccountMatch | null {
    if (this.size === 0) return null;
    const domain = emailDomain(lead.contact.email);
    if (domain && !FREE_MAIL_DOMAINS.has(domain)) {
      let d = domain;
      for (;;) {
        const hit = this.#byDomain.get(d);
        if (hit) return { account: hit, by: 'domain' };
        const dot = d.indexOf('.');
        if (dot < 0 || d.indexOf('.', dot + 1) < 0) break; // stop at two labels: a bare top-level domain is never looked up
        d = d.slice(dot + 1);
      }
    }
    const hit = this.#byName.get(normaliseCompany(lead.company));
    return hit ? { account: hit, by: 'name' } : null;
  }
}
