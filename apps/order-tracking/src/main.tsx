/** Entry point: the SDK's tRPC client on this page's origin (proxied to the API), TanStack Query, the app. */

import { QuickEatsProvider } from '@quickeats/sdk/react';
import { createTrpcClient } from '@quickeats/sdk/trpc';
import { QueryClient } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, TOKEN_KEY } from './App';
import './styles.css';

const client = createTrpcClient({
  baseUrl: location.origin,
  token: () => sessionStorage.getItem(TOKEN_KEY) ?? undefined,
});
const queryClient = new QueryClient({
  // Live updates (useOrderUpdates) refresh what is on screen; a refetch on every focus adds nothing.
  defaultOptions: { queries: { staleTime: 5_000, refetchOnWindowFocus: false, retry: 1 } },
});

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html');
createRoot(root).render(
  <StrictMode>
    <QuickEatsProvider client={client} queryClient={queryClient}>
      <App />
    </QuickEatsProvider>
  </StrictMode>,
);
