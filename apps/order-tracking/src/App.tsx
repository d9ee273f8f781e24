/**
 * The customer's app: sign in, my orders, place an order from a restaurant's menu, pay, follow
 * it live on a timeline, cancel while allowed. Screens are picked from the URL hash
 * (`#/`, `#/new`, `#/orders/<id>`) so the browser's back button and reloads work.
 */
import { useQuickEats } from '@quickeats/sdk/react';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { MyOrders } from './screens/MyOrders';
import { NewOrder } from './screens/NewOrder';
import { SignIn } from './screens/SignIn';
import { TrackOrder } from './screens/TrackOrder';

export const TOKEN_KEY = 'quickeats.tracking.token';
const NAME_KEY = 'quickeats.tracking.name';

export type Route = { screen: 'orders' } | { screen: 'new' } | { screen: 'order'; orderId: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const order = /^\/orders\/([0-9a-f-]{36})$/i.exec(path);
  if (order?.[1]) return { screen: 'order', orderId: order[1] };
  if (path === '/new') return { screen: 'new' };
  return { screen: 'orders' };
}

export function go(path: string) {
  location.hash = path;
}

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function App() {
  const client = useQuickEats();
  const queryClient = useQueryClient();
  const route = useRoute();
  const [name, setName] = useState(() => sessionStorage.getItem(NAME_KEY));

  // Each screen's heading takes the focus, so a screen-reader user hears where they landed.
  useEffect(() => {
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [route, name]);

  if (!name || !sessionStorage.getItem(TOKEN_KEY)) {
    return (
      <SignIn
        onSignedIn={(token, displayName) => {
          sessionStorage.setItem(TOKEN_KEY, token);
          sessionStorage.setItem(NAME_KEY, displayName);
          setName(displayName);
        }}
      />
    );
  }

  const signOut = () => {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(NAME_KEY);
    client.logout();
    queryClient.clear();
    setName(null);
    go('/');
  };

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">QuickEats</span>
        <nav aria-label="Main">
          <a href="#/" aria-current={route.screen === 'orders' ? 'page' : undefined}>
            My orders
          </a>
          <a href="#/new" aria-current={route.screen === 'new' ? 'page' : undefined} data-testid="nav-new">
            New order
          </a>
        </nav>
        <span className="who">{name}</span>
        <button type="button" className="ghost" onClick={signOut} data-testid="sign-out">
          Sign out
        </button>
      </header>
      <main id="main">
        {route.screen === 'orders' && <MyOrders />}
        {route.screen === 'new' && <NewOrder />}
        {route.screen === 'order' && <TrackOrder orderId={route.orderId} />}
      </main>
    </>
  );
}
