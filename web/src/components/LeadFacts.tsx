import type { ReactNode } from 'react';
import type { Lead } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { msSince, useNow } from '../lib/time.js';
import { Score, StatusBadge } from './Badges.js';

/** The lead's visible fields as a definition list (only what the viewer was sent). */
export function LeadFacts({ lead, showStatus }: { lead: Lead; showStatus?: boolean }) {
  const { t, tx, dateTime, duration } = useI18n();
  const now = useNow(30000);
  const arrived = lead.createdAt;
  const age = msSince(arrived, now);
  const rows: { key: string; label: string; value: ReactNode }[] = [];
  const add = (key: string, label: string, value: ReactNode) => rows.push({ key, label, value });

  if (showStatus) add('status', t('field.status'), <StatusBadge status={lead.status} />);
  if (lead.score !== undefined && lead.score !== null) add('score', t('field.score'), <Score value={lead.score} />);
  if (lead.industry) add('industry', t('field.industry'), lead.industry);
  if (lead.companySize) add('companySize', t('field.companySize'), lead.companySize);
  if (lead.region) add('region', t('field.region'), lead.region);
  if (lead.source) add('source', t('field.source'), lead.source);
  if (arrived)
    add(
      'arrived',
      t('field.arrived'),
      <>
        {dateTime(arrived)}
        {age !== null ? <span className="muted"> · {duration(age)}</span> : null}
      </>,
    );
  if (lead.claimedAt) add('claimedAt', t('field.claimedAt'), dateTime(lead.claimedAt));
  if (lead.claimSource) add('claimSource', t('field.claimSource'), tx(`claimSource.${lead.claimSource}`, lead.claimSource));
  if (lead.contactedAt) add('contactedAt', t('field.contactedAt'), dateTime(lead.contactedAt));
  if (lead.priority) add('priority', t('field.priority'), String(lead.priority));
  if (lead.externalId) add('externalId', t('field.externalId'), lead.externalId);

  return (
    <dl className="facts">
      {rows.map((r) => (
        <div key={r.key} className="fact">
          <dt>{r.label}</dt>
          <dd>{r.value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Contact details, when the viewer may see them. */
export function ContactCard({ lead }: { lead: Lead }) {
  const { t } = useI18n();
  const c = lead.contact;
  if (!c) return null;
  return (
    <div className="contact-card">
      <h3 className="section-title">{t('field.contact')}</h3>
      <dl className="facts">
        {c.name ? (
          <div className="fact">
            <dt>{t('field.contactName')}</dt>
            <dd>{c.name}</dd>
          </div>
        ) : null}
        {c.email ? (
          <div className="fact">
            <dt>{t('field.email')}</dt>
            <dd>
              <a href={`mailto:${c.email}`}>{c.email}</a>
            </dd>
          </div>
        ) : null}
        {c.phone ? (
          <div className="fact">
            <dt>{t('field.phone')}</dt>
            <dd>
              <a href={`tel:${c.phone.replace(/[^+\d]/g, '')}`}>{c.phone}</a>
            </dd>
          </div>
        ) : null}
      </dl>
    </div>
  );
}

/** The lead's free-form attributes (from the form or the import), if any. */
export function AttributeList({ lead }: { lead: Lead }) {
  const { t } = useI18n();
  const attrs = lead.attributes ? Object.entries(lead.attributes).filter(([, v]) => v !== null && v !== undefined && v !== '') : [];
  if (attrs.length === 0) return null;
  return (
    <>
      <h3 className="section-title">{t('field.attributes')}</h3>
      <dl className="facts">
        {attrs.map(([k, v]) => (
          <div className="fact" key={k}>
            <dt>{k}</dt>
            <dd>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd>
          </div>
        ))}
      </dl>
    </>
  );
}
