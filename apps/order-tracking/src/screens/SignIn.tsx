import { useQuickEats } from '@quickeats/sdk/react';
import { type FormEvent, useState } from 'react';

export function SignIn({ onSignedIn }: { onSignedIn(token: string, name: string): void }) {
  const client = useQuickEats();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const session = await client.login(String(form.get('email')), String(form.get('password')));
      if (session.user.role !== 'customer') {
        client.logout();
        setError(`${session.user.email} is not a customer account. Restaurants use the kitchen dashboard.`);
        return;
      }
      const me = await client.me();
      onSignedIn(session.accessToken, me.name);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="centered">
      <form className="panel login" onSubmit={submit} data-testid="login-form">
        <h1 tabIndex={-1}>Track your QuickEats order</h1>
        <p className="muted">Sign in with your customer account.</p>
        <label>
          E-mail
          <input
            name="email"
            type="email"
            required
            autoComplete="username"
            defaultValue="customer@quickeats.test"
          />
        </label>
        <label>
          Password
          <input name="password" type="password" required autoComplete="current-password" />
        </label>
        {error && (
          <p className="notice error" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
