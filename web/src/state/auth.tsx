import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, onUnauthorized, setBearer } from '../api/client.js';
import { isManagerRole, type User } from '../api/types.js';
import { startStream, stopStream } from '../api/stream.js';
import { accountPrefs, useI18n, type Lang } from '../i18n/i18n.js';
import { dropBootRequests, peekMe, takeMe } from '../lib/first-page.js';

type AuthState = { phase: 'checking' } | { phase: 'signedOut' } | { phase: 'signedIn'; user: User };

interface Auth {
  state: AuthState;
  user: User | null;
  isManager: boolean;
  signIn: (email: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
  /** Merges a change of the signed-in user (availability, preferences) into the state. */
  updateUser: (patch: Partial<User>) => void;
  /** Saves language and/or time zone to the account (PATCH /me); null means "the browser decides". */
  savePrefs: (p: { locale?: Lang | null; timeZone?: string | null }) => Promise<void>;
  /** A fresh start-up check failed for reasons other than 401 (server down). */
  bootError: unknown;
  retryBoot: () => void;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const { applyPrefs, bindUser } = useI18n();
  // The early session check may have answered before the first render: then it starts signed in.
  const [state, setState] = useState<AuthState>(() => {
    const user = peekMe();
    return user ? { phase: 'signedIn', user } : { phase: 'checking' };
  });
  const [bootError, setBootError] = useState<unknown>(null);
  const [bootTry, setBootTry] = useState(0);

  const adopt = useCallback(
    (user: User) => {
      bindUser(String(user.id));
      // The account's preferences win (they follow the user across devices); unset ones fall back to this browser.
      applyPrefs(accountPrefs(user));
      // The same user as the first render's (the early check): nothing changes, nothing is drawn again.
      setState((s) => (s.phase === 'signedIn' && s.user === user ? s : { phase: 'signedIn', user }));
    },
    [bindUser, applyPrefs],
  );

  useEffect(() => {
    let live = true;
    setBootError(null);
    (takeMe() ?? api.me()).then(
      ({ user }) => live && adopt(user),
      (err: unknown) => {
        if (!live) return;
        const status = (err as { status?: number }).status;
        if (status === 401 || status === 403) setState({ phase: 'signedOut' });
        else setBootError(err);
      },
    );
    return () => {
      live = false;
    };
  }, [adopt, bootTry]);

  useEffect(() => {
    onUnauthorized(() => {
      dropBootRequests();
      setBearer(null);
      bindUser(null);
      setState({ phase: 'signedOut' });
    });
    return () => onUnauthorized(null);
  }, [bindUser]);

  const signedIn = state.phase === 'signedIn';
  useEffect(() => {
    if (!signedIn) return;
    startStream();
    return () => stopStream();
  }, [signedIn]);

  const value = useMemo<Auth>(() => {
    const user = state.phase === 'signedIn' ? state.user : null;
    return {
      state,
      user,
      isManager: isManagerRole(user?.role),
      bootError,
      retryBoot: () => setBootTry((n) => n + 1),
      updateUser: (patch) => setState((s) => (s.phase === 'signedIn' ? { phase: 'signedIn', user: { ...s.user, ...patch } } : s)),
      savePrefs: async (p) => {
        const { user: u } = await api.updateMe(p);
        setState((s) => (s.phase === 'signedIn' ? { phase: 'signedIn', user: { ...s.user, locale: u.locale ?? null, timeZone: u.timeZone ?? null } } : s));
      },
      signIn: async (email, password) => {
        const { token, user: u } = await api.login(email, password);
        dropBootRequests(); // asked as nobody, or as someone else
        setBearer(token);
        // GET /me adds what the login answer leaves out (a rep's team, tier and availability).
        const full = await api.me().then((r) => r.user, () => u);
        adopt({ ...u, ...full });
      },
      signOut: async () => {
        try {
          await api.logout();
        } catch {
          /* signed out locally either way */
        }
        dropBootRequests();
        setBearer(null);
        bindUser(null);
        setState({ phase: 'signedOut' });
      },
    };
  }, [state, bootError, adopt, bindUser]);

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}
