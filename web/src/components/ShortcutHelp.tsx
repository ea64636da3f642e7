import { Fragment, useEffect, useId, useRef, useState } from 'react';
import { useI18n } from '../i18n/i18n.js';
import type { MessageKey } from '../i18n/dict.js';
import { navigate, paths } from '../lib/router.js';
import { setShortcutsEnabled, shortcutsEnabled, useShortcuts } from '../lib/shortcuts.js';

const LAST_POOL_KEY = 'leadpool.lastPool';

/** Remembered for `g p`: the pool the rep last opened. */
export function rememberPool(id: string): void {
  try {
    sessionStorage.setItem(LAST_POOL_KEY, id);
  } catch {
    /* private mode */
  }
}

const GROUPS: { title: MessageKey; rows: [string[], MessageKey][] }[] = [
  {
    title: 'keys.group.everywhere',
    rows: [
      [['?'], 'keys.help'],
      [['/'], 'keys.search'],
      [['g', 'h'], 'keys.goHome'],
      [['g', 'p'], 'keys.goPool'],
      [['g', 'm'], 'keys.goMine'],
      [['Esc'], 'keys.closePanel'],
    ],
  },
  {
    title: 'keys.group.list',
    rows: [
      [['j'], 'keys.down'],
      [['k'], 'keys.up'],
      [['Enter'], 'keys.openRow'],
      [['c'], 'keys.claim'],
    ],
  },
  {
    title: 'keys.group.lead',
    rows: [
      [['n'], 'keys.next'],
      [['s'], 'keys.skip'],
      [['l'], 'keys.log'],
      [['r'], 'keys.release'],
    ],
  },
];

/**
 * The app-wide shortcuts (?, /, g then h/p/m) and the help overlay: a modal dialog (focus stays
 * inside, Esc closes, focus returns to where it was) that lists every shortcut and turns them off.
 */
export function GlobalShortcuts() {
  const { t } = useI18n();
  const id = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);
  const returnTo = useRef<HTMLElement | null>(null);
  const [open, setOpen] = useState(false);
  const [enabled, setEnabled] = useState(shortcutsEnabled);

  // Opened here, not from an effect: after Esc the dialog is closed at once but its close event
  // comes a moment later, so a ? pressed in between finds `open` still true.
  const show = () => {
    const d = dialog.current;
    if (d && !d.open) {
      returnTo.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      d.showModal();
      // Not React's autoFocus: that focuses on mount, while the dialog is still closed (and makes
      // the browser work out every style of the page in the middle of the first render).
      closeButton.current?.focus();
    }
    setOpen(true);
  };

  useShortcuts({
    '?': show,
    '/': () => {
      const search = document.querySelector<HTMLInputElement>('main input[type="search"]');
      if (search) {
        search.focus();
        search.select();
      }
    },
    'g h': () => navigate(paths.home),
    'g p': () => {
      let last: string | null = null;
      try {
        last = sessionStorage.getItem(LAST_POOL_KEY);
      } catch {
        /* private mode */
      }
      navigate(last ? paths.pool(last) : paths.home);
    },
    'g m': () => navigate(paths.myLeads),
  });

  useEffect(() => {
    const d = dialog.current;
    if (d && !open && d.open) d.close();
  }, [open]);

  const onClose = () => {
    if (dialog.current?.open) return; // the close of an earlier opening, come after a new one
    setOpen(false);
    const back = returnTo.current;
    returnTo.current = null;
    if (back?.isConnected) back.focus();
  };

  return (
    <>
      <button type="button" className="shortcut-hint btn btn-ghost btn-small" onClick={show} aria-keyshortcuts="?">
        {t('keys.open')}
      </button>
      <dialog ref={dialog} className="shortcut-dialog" aria-labelledby={`${id}-title`} onClose={onClose}>
        <div className="dialog-head">
          <h2 id={`${id}-title`}>{t('keys.title')}</h2>
          <button ref={closeButton} type="button" className="icon-btn" aria-label={t('keys.close')} onClick={() => setOpen(false)}>
            <span aria-hidden="true">×</span>
          </button>
        </div>
        <p className="muted small">{enabled ? t('keys.intro') : t('keys.off')}</p>
        <label className="check">
          <input
            type="checkbox"
            checked={enabled}
            onChange={(e) => {
              setEnabled(e.target.checked);
              setShortcutsEnabled(e.target.checked);
            }}
          />
          <span>{t('keys.enabled')}</span>
        </label>
        {GROUPS.map((g) => (
          <section key={g.title} aria-labelledby={`${id}-${g.title}`}>
            <h3 id={`${id}-${g.title}`} className="section-title">
              {t(g.title)}
            </h3>
            <dl className="shortcut-list">
              {g.rows.map(([keys, label]) => (
                <div key={label} className="shortcut-row">
                  <dt>
                    {keys.map((k, i) => (
                      <Fragment key={i}>
                        {i > 0 ? <span className="muted small"> {t('keys.then')} </span> : null}
                        <kbd>{k}</kbd>
                      </Fragment>
                    ))}
                  </dt>
                  <dd>{t(label)}</dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </dialog>
    </>
  );
}
