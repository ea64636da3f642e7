import '../i18n/integrations-messages.js';
import { useI18n } from '../i18n/i18n.js';
import type { MessageKey } from '../i18n/dict.js';
import { Link, paths, type Route } from '../lib/router.js';

/** The setup pages' own navigation. */
export function SetupNav({ current }: { current: Route['name'] }) {
  const { t } = useI18n();
  const items: [Route['name'], string, string][] = [
    ['managePools', paths.managePools, t('setup.pools')],
    ['manageRouting', paths.manageRouting, t('setup.routing')],
    ['manageReps', paths.manageReps, t('setup.reps')],
    ['manageAccounts', paths.manageAccounts, t('setup.accounts')],
    ['manageUsers', paths.manageUsers, t('setup.users')],
    ['manageKeys', paths.manageKeys, t('setup.keys')],
    ['manageWebhooks', paths.manageWebhooks, t('setup.webhooks')],
    ['manageIntake', paths.manageIntake, t('setup.intake')],
    ['manageImport', paths.manageImport, t('setup.import')],
    ['whatIf', paths.whatIf, t('whatIf.nav' as MessageKey)],
  ];
  return (
    <nav className="sub-nav" aria-label={t('setup.nav')}>
      {items.map(([name, to, label]) => (
        <Link key={name} to={to} aria-current={current === name ? 'page' : undefined}>
          {label}
        </Link>
      ))}
    </nav>
  );
}
