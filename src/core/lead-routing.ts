import type { Lead } from './types.js';
import type { LeadForRouting } from './routing/index.js';

/** What routing looks at of a lead. */
export function leadForRouting(l: Pick<Lead, 'score' | 'industry' | 'companySize' | 'source' | 'region' | 'company' | 'contact' | 'attributes'>): LeadForRouting {
  return { score: l.score, industry: l.industry, companySize: l.companySize, source: l.source, region: l.region, company: l.company, contact: { email: l.contact.email }, attributes: l.attributes };
}
